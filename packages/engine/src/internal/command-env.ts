import type { Redactor } from '@planspec/core'
import { looksSecret } from '@planspec/core'
import { globToRegExp } from './glob.js'
import { isPlainObject } from './outputs.js'

/** What a command's environment is built from. */
export interface CommandEnvInput {
  /** The process's own environment: only `PATH`, `LANG` and what the Binding names may come from it. */
  readonly processEnv: Readonly<Record<string, string | undefined>>
  /** The Execution's workspace: the command's cwd and `HOME`. */
  readonly workspace: string
  /** The Binding target's `config.env` (see {@link commandEnv}). */
  readonly bindingEnv: unknown
  /** Patterns of the process variables a Binding may name (`policy.allowEnv`; `*` = any run of characters). */
  readonly allowEnv: readonly string[]
  /** Learns the values a Binding marks secret (and those with secret-looking names). */
  readonly redactor?: Redactor
}

/** A command's environment, or why the Binding's `env` is refused. */
export type CommandEnvResult =
  | { readonly ok: true; readonly env: Record<string, string> }
  | { readonly ok: false; readonly reason: 'InvalidConfig' | 'NotAllowed'; readonly message: string }

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Names the engine sets itself; a Binding may not override them. */
const FIXED = new Set(['PATH', 'HOME', 'LANG'])

/**
 * Builds the explicit environment of a command (DECISIONS §9, THREATS T11): `PATH` and `LANG` of
 * the process, `HOME` = the workspace, and what the Binding's `config.env` names, never anything
 * else of the agent's or server's own environment. `config.env` is either a list of variable names
 * (each passed from the process environment under its own name) or a map `NAME: VALUE`, where
 * VALUE is a literal string, `{ fromEnv: VAR, secret?: true }` (the process's `VAR`) or
 * `{ value: "...", secret?: true }`. A variable taken from the process must match `allowEnv`
 * and never be one of the product's own (`PLANSPEC_*`): otherwise `NotAllowed`. Unset variables
 * are left out. Values marked `secret: true`, and values of secret-looking names, are registered
 * on the redactor so every sink masks them. Bad shapes are `InvalidConfig`.
 *
 * @example
 * commandEnv({ processEnv: process.env, workspace: '/runs/e1', bindingEnv: { REGION: 'eu', TOKEN: { fromEnv: 'DEPLOY_TOKEN' } }, allowEnv: ['DEPLOY_*'] })
 */
export function commandEnv(input: CommandEnvInput): CommandEnvResult {
  const env: Record<string, string> = Object.create(null) as Record<string, string>
  for (const name of ['PATH', 'LANG']) {
    const value = input.processEnv[name]
    if (value !== undefined) env[name] = value
  }
  env['HOME'] = input.workspace
  const spec = input.bindingEnv
  if (spec === undefined) return { ok: true, env }
  const entries: [string, unknown][] | undefined = Array.isArray(spec)
    ? spec.map((name) => [String(name), { fromEnv: name }])
    : isPlainObject(spec)
      ? Object.entries(spec)
      : undefined
  if (entries === undefined) return invalid('config.env must be a list of variable names or a map of NAME to a value')
  const allowed = input.allowEnv.map((pattern) => globToRegExp(pattern, '.'))
  for (const [name, value] of entries) {
    if (!NAME.test(name) || FIXED.has(name) || name.startsWith('PLANSPEC_')) return invalid(`config.env: ${JSON.stringify(name)} is not a variable a Binding may set`)
    let resolved: string | undefined
    let secret = looksSecret(name)
    if (typeof value === 'string') resolved = value
    else if (isPlainObject(value) && typeof value['fromEnv'] === 'string' && value['value'] === undefined) {
      const source = value['fromEnv']
      if (source.startsWith('PLANSPEC_') || !allowed.some((pattern) => pattern.test(source))) {
        return { ok: false, reason: 'NotAllowed', message: `config.env: the variable ${JSON.stringify(source)} is not on the env allow-list (allow it with --allow-env)` }
      }
      resolved = input.processEnv[source]
      secret ||= looksSecret(source)
    } else if (isPlainObject(value) && typeof value['value'] === 'string' && value['fromEnv'] === undefined) resolved = value['value']
    else return invalid(`config.env: ${JSON.stringify(name)} must be a string, { fromEnv: VAR } or { value: "..." }`)
    if (isPlainObject(value) && value['secret'] !== undefined && typeof value['secret'] !== 'boolean') return invalid(`config.env: ${JSON.stringify(name)}.secret must be true or false`)
    if (resolved === undefined) continue
    if (isPlainObject(value) && value['secret'] === true) secret = true
    if (secret) input.redactor?.add([resolved])
    env[name] = resolved
  }
  return { ok: true, env }
}

function invalid(message: string): CommandEnvResult {
  return { ok: false, reason: 'InvalidConfig', message }
}
