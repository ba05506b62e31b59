import type { CommandIO } from './io.js'

/** Names of variables whose values are secrets, as CI systems mask them. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)/i

/**
 * Returns the values of the environment's secret-looking variables, so that every message a run
 * or the agent records can mask them.
 *
 * @example
 * secretValues({ PLANSPEC_DEPLOY_TOKEN: 'abc123', HOME: '/root' }) // ['abc123']
 */
export function secretValues(env: CommandIO['env']): string[] {
  return Object.entries(env).flatMap(([name, value]) => (value && SECRET_NAME.test(name) ? [value] : []))
}
