import { notFoundMessage } from '@planspec/validator'
import type { ResourceClient } from './resource-types.js'

/**
 * Builds {@link notFoundMessage} for a name the client port did not find, listing the names of
 * that kind where it looked (one namespace, or every one). A failure to list only drops the hint.
 *
 * @example
 * io.stderr.write(`error: ${await describeNotFound(client, 'Plan', 'relase', 'default')}\n`)
 */
export async function describeNotFound(client: ResourceClient, kind: string, name: string, namespace: string | undefined): Promise<string> {
  const existing = await client.list(kind, namespace === undefined ? {} : { namespace }).then((views) => views.map((v) => v.name), () => [])
  return notFoundMessage(kind, name, namespace, existing)
}
