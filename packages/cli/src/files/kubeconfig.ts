import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { parse, stringify } from 'yaml'
import { UsageError } from '../io.js'

/** What kubectl needs to reach a PlanSpec server. */
export interface KubeconfigEntry {
  /** The name of the cluster, user and context entries. */
  readonly name: string
  readonly server: string
  /** PEM of the CA (the self-signed certificate), embedded as `certificate-authority-data`. */
  readonly ca?: string
  /** A file holding the bearer token (kubeconfig `tokenFile`: the token is not copied). */
  readonly tokenFile?: string
  readonly namespace?: string
}

type Named = { readonly name?: unknown; readonly [key: string]: unknown }

/**
 * Writes a cluster, a user and a context named `entry.name` into the kubeconfig at `file` and
 * makes the context current, keeping every other entry of an existing file (kubectl's own merge
 * rules: same name, replaced). The file is written with mode 0600 and replaced atomically.
 *
 * @example
 * await writeKubeconfig('/home/ann/.kube/planspec', { name: 'planspec-local', server: 'https://127.0.0.1:8080', ca, tokenFile })
 */
export async function writeKubeconfig(file: string, entry: KubeconfigEntry): Promise<void> {
  let config: Record<string, unknown> = {}
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw new UsageError(`cannot read the kubeconfig ${file}: ${error.code ?? String(error)}`)
  })
  if (text !== undefined && text.trim() !== '') {
    const value = parse(text, { maxAliasCount: 0 }) as unknown
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${file} is not a kubeconfig (a YAML mapping)`)
    config = value as Record<string, unknown>
  }
  const replace = (key: string, item: Named): void => {
    const list = Array.isArray(config[key]) ? (config[key] as Named[]) : []
    config[key] = [...list.filter((existing) => existing?.name !== item.name), item]
  }
  replace('clusters', { name: entry.name, cluster: { server: entry.server, ...(entry.ca === undefined ? {} : { 'certificate-authority-data': Buffer.from(entry.ca).toString('base64') }) } })
  replace('users', { name: entry.name, user: entry.tokenFile === undefined ? {} : { tokenFile: entry.tokenFile } })
  replace('contexts', { name: entry.name, context: { cluster: entry.name, user: entry.name, namespace: entry.namespace ?? 'default' } })
  config = { apiVersion: 'v1', kind: 'Config', preferences: {}, ...config, 'current-context': entry.name }
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, stringify(config), { mode: 0o600 })
  await chmod(temporary, 0o600)
  await rename(temporary, file)
}
