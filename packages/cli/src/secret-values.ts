import { secretEnvValues } from '@planspec/core'
import type { CommandIO } from './io.js'

/**
 * Returns the values of the environment's secret-looking variables (names with TOKEN, SECRET,
 * PASSWORD, KEY or CREDENTIAL, core's `looksSecret`), so that every sink a run, the agent or the
 * server writes can mask them: the git credential and the agent key included.
 *
 * @example
 * secretValues({ PLANSPEC_DEPLOY_TOKEN: 'abc123', HOME: '/root' }) // ['abc123']
 */
export function secretValues(env: CommandIO['env']): string[] {
  return secretEnvValues(env)
}
