import { randomBytes } from 'node:crypto'
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { PlanSpecError } from '@planspec/core'
import { createAgentKeyring, parseAgentKeys, type AgentKeyring } from '@planspec/git-store'

/** Where the agents' key came from, for the start-up log line (never the key itself). */
export type AgentKeySource =
  | { readonly from: 'env'; readonly variable: string }
  | { readonly from: 'file'; readonly path: string }
  | { readonly from: 'state'; readonly path: string; readonly generated: boolean }

/** What {@link resolveAgentKey} found. */
export interface ResolvedAgentKey {
  readonly keyring: AgentKeyring
  readonly source: AgentKeySource
}

/** Options of {@link resolveAgentKey}: the environment, the flag, and where to keep a generated key. */
export interface ResolveAgentKeyOptions {
  readonly env: Readonly<Record<string, string | undefined>>
  /** `--agent-key-file`. */
  readonly file?: string
}

/** The agent key is unusable (unreadable, malformed, too short, or a file others may read). */
export class AgentKeyError extends PlanSpecError {
  constructor(message: string, data: Record<string, unknown>, cause?: unknown) {
    super(message, { code: 'PLANSPEC_ERR_AGENT_KEY', data, terminal: true, ...(cause === undefined ? {} : { cause }) })
  }
}

/**
 * Finds the agents' key (DECISIONS §9): `PLANSPEC_AGENT_KEY` (base64 secrets, one per line or
 * comma-separated, the signing key first), else the `--agent-key-file` file (same format; refused
 * when group or others may read it), else the key kept in the state directory
 * (`$XDG_STATE_HOME/planspec/agent-key`, by default `~/.local/state/planspec/agent-key`), which
 * is generated (32 random bytes, base64, mode 0600) when absent so a restarted agent on the same
 * host keeps it. Several agents of one repository must share the key: give them the same
 * variable or file. Throws {@link AgentKeyError} (`PLANSPEC_ERR_AGENT_KEY`), never echoing a key.
 *
 * @example
 * const { keyring, source } = resolveAgentKey({ env: process.env, file: flags.agentKeyFile })
 */
export function resolveAgentKey(options: ResolveAgentKeyOptions): ResolvedAgentKey {
  const fromEnv = options.env.PLANSPEC_AGENT_KEY
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { keyring: parse(fromEnv.replace(/,/g, '\n'), { variable: 'PLANSPEC_AGENT_KEY' }), source: { from: 'env', variable: 'PLANSPEC_AGENT_KEY' } }
  if (options.file !== undefined) return { keyring: readKeyFile(options.file), source: { from: 'file', path: options.file } }
  const dir = join(options.env.XDG_STATE_HOME || join(options.env.HOME || homedir(), '.local', 'state'), 'planspec')
  const path = join(dir, 'agent-key')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  let generated = false
  try {
    // Created exclusively: two agents starting at once on this host end up with one key.
    const fd = openSync(path, 'wx', 0o600)
    try {
      writeSync(fd, `${randomBytes(32).toString('base64')}\n`)
    } finally {
      closeSync(fd)
    }
    generated = true
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw new AgentKeyError(`cannot create the agent key ${path}: ${(error as Error).message}`, { path }, error)
  }
  return { keyring: readKeyFile(path), source: { from: 'state', path, generated } }
}

function readKeyFile(path: string): AgentKeyring {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    throw new AgentKeyError(`cannot read the agent key file ${path}: ${(error as Error).message}`, { path }, error)
  }
  try {
    const mode = fstatSync(fd).mode & 0o777
    if ((mode & 0o077) !== 0) throw new AgentKeyError(`the agent key file ${path} may be read by others (mode ${mode.toString(8)}); run chmod 600 ${path}`, { path, mode: mode.toString(8) })
    return parse(readFileSync(fd, 'utf8'), { path })
  } finally {
    closeSync(fd)
  }
}

function parse(text: string, where: Record<string, unknown>): AgentKeyring {
  try {
    return createAgentKeyring(parseAgentKeys(text))
  } catch (error) {
    throw new AgentKeyError(`the agent key (${Object.values(where).join('')}) is unusable: ${(error as Error).message}`, where, error)
  }
}
