import { spawn as nodeSpawn } from 'node:child_process'
import { lstat, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isCommandAllowed } from './command-allowed.js'
import { clip, keepDeclared, lastLine, parseJsonObject } from './internal/outputs.js'
import { runArgv } from './internal/run-argv.js'
import { redact } from './redact.js'
import type { DispatchRequest, DispatchResult, Policy, Provider, SpawnFn } from './types.js'

/** Default cap on stdout, stderr and the outputs file: 1 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024
/** Default attempt budget when neither the request nor the config sets one: 10 minutes. */
export const DEFAULT_EXEC_TIMEOUT_MS = 10 * 60 * 1000

/** Environment variables passed through from the agent; everything else is dropped. */
const ENV_ALLOW = new Set(['PATH', 'HOME', 'LANG'])

/** Effects and policy of the command providers. */
export interface ExecProviderDeps {
  policy: Policy
  /** `child_process.spawn`; tests inject a counting wrapper. */
  spawn?: SpawnFn
  /** The agent's environment (default `process.env`), filtered by the env allow-list. */
  env?: Readonly<Record<string, string | undefined>>
  /** Secret values redacted from every message. */
  secrets?: readonly string[]
}

/**
 * Creates the `exec://NAME` provider (alias `tool://`): runs `config.command` as argv (never a
 * shell) when `command[0]` is on `policy.allowCommands`. See {@link dispatchCommand}.
 *
 * @example
 * ```ts
 * const exec = createExecProvider({ policy: { allowCommands: ['/usr/bin/node'], allowUrls: [] } })
 * await exec.dispatch({ ...req, config: { command: ['/usr/bin/node', 'build.js'] } })
 * ```
 */
export function createExecProvider(deps: ExecProviderDeps): Provider {
  return { schemes: ['exec', 'tool'], dispatch: (req) => dispatchCommand(deps, req) }
}

/**
 * Runs one attempt of a command-backed node. Never throws.
 *
 * - `config.command` must be a non-empty string array (`InvalidConfig`), and `command[0]` must
 *   be on the allow-list (`NotAllowed`; nothing is spawned).
 * - The inputs go as JSON on stdin (then closed) and as `PLANSPEC_INPUT_<NAME>` env vars (name
 *   upper-cased, other characters than `A-Z0-9` turned into `_`; strings as they are, other
 *   values as JSON). The rest of the env is `PATH`, `HOME`, `LANG` and `PLANSPEC_*` from the
 *   agent, plus `PLANSPEC_RUN_ID`, `PLANSPEC_NODE`, `PLANSPEC_ATTEMPT` and `PLANSPEC_OUTPUTS`.
 * - cwd is `req.workspace`. The process runs in its own group; the budget is `req.timeoutMs`,
 *   else `config.timeoutMs`, else 10 minutes.
 * - Outputs: the JSON object in the file named by `$PLANSPEC_OUTPUTS` if the command wrote it,
 *   else the JSON object on the last non-empty stdout line, else `{}` when stdout is empty.
 *   Undeclared keys are dropped (named in `message`).
 * - Failures: `Timeout`, `Cancelled`, `OutputTooLarge`, `Crashed` (killed by a signal, or could
 *   not start), `ExitCode` (with the redacted last stderr line), `InvalidOutput`.
 */
export async function dispatchCommand(deps: ExecProviderDeps, req: DispatchRequest): Promise<DispatchResult> {
  const secrets = deps.secrets ?? []
  const command = req.config['command']
  if (!Array.isArray(command) || command.length === 0 || !command.every((a): a is string => typeof a === 'string')) {
    return { outcome: 'failed', reason: 'InvalidConfig', message: 'config.command must be a non-empty array of strings' }
  }
  const executable = command[0] ?? ''
  if (!isCommandAllowed(executable, deps.policy.allowCommands)) {
    return {
      outcome: 'failed',
      reason: 'NotAllowed',
      message: clip(redact(`command ${JSON.stringify(executable)} is not on the allow-list`, secrets)),
    }
  }
  if (req.signal.aborted) return { outcome: 'failed', reason: 'Cancelled', message: 'command was cancelled' }
  const maxBytes = deps.policy.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES
  const configTimeout = req.config['timeoutMs']
  const timeoutMs = req.timeoutMs ?? (typeof configTimeout === 'number' ? configTimeout : DEFAULT_EXEC_TIMEOUT_MS)
  const dir = await mkdtemp(join(tmpdir(), 'planspec-outputs-'))
  const outputsPath = join(dir, 'outputs.json')
  try {
    const result = await runArgv({
      spawn: deps.spawn ?? nodeSpawn,
      argv: command,
      cwd: req.workspace,
      env: commandEnv(deps.env ?? process.env, req, outputsPath),
      stdin: JSON.stringify(req.inputs),
      timeoutMs,
      maxBytes,
      signal: req.signal,
    })
    switch (result.kind) {
      case 'timeout':
        return { outcome: 'failed', reason: 'Timeout', message: `command timed out after ${timeoutMs}ms` }
      case 'cancelled':
        return { outcome: 'failed', reason: 'Cancelled', message: 'command was cancelled' }
      case 'too-large':
        return { outcome: 'failed', reason: 'OutputTooLarge', message: `${result.stream} exceeded ${maxBytes} bytes` }
      case 'spawn-error':
        return { outcome: 'failed', reason: 'Crashed', message: `command could not start (${result.code})` }
      case 'signaled':
        return { outcome: 'failed', reason: 'Crashed', message: `command was killed by ${result.signal}`, ...logOf(result.stdout, result.stderr, secrets) }
      case 'exited':
        if (result.code !== 0) {
          const detail = lastLine(result.stderr)
          const message = `command exited with code ${result.code}${detail === undefined ? '' : `: ${detail}`}`
          return { outcome: 'failed', reason: 'ExitCode', message: clip(redact(message, secrets)), ...logOf(result.stdout, result.stderr, secrets) }
        }
        return await readOutputs(outputsPath, result.stdout, maxBytes, req.declaredOutputs)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The last bytes a failed command printed, secrets masked: what a person opens to see why. */
const LOG_TAIL_CHARS = 2048
function logOf(stdout: string, stderr: string, secrets: readonly string[]): { log?: string } {
  const parts = [stdout.trim() === '' ? '' : stdout.trimEnd(), stderr.trim() === '' ? '' : stderr.trimEnd()].filter((part) => part !== '')
  if (parts.length === 0) return {}
  const text = redact(parts.join('\n'), secrets)
  return { log: text.length > LOG_TAIL_CHARS ? `…${text.slice(-LOG_TAIL_CHARS)}` : text }
}

async function readOutputs(
  outputsPath: string,
  stdout: string,
  maxBytes: number,
  declared: readonly string[],
): Promise<DispatchResult> {
  let text: string | undefined
  let source = 'stdout'
  // lstat: a symlink planted there must not make the agent read some other file.
  const info = await lstat(outputsPath).catch(() => undefined)
  if (info !== undefined) {
    if (!info.isFile()) return { outcome: 'failed', reason: 'InvalidOutput', message: '$PLANSPEC_OUTPUTS is not a regular file' }
    if (info.size > maxBytes) {
      return { outcome: 'failed', reason: 'OutputTooLarge', message: `$PLANSPEC_OUTPUTS exceeded ${maxBytes} bytes` }
    }
    text = await readFile(outputsPath, 'utf8')
    source = '$PLANSPEC_OUTPUTS'
  } else {
    text = lastLine(stdout)
    if (text === undefined) return { outcome: 'succeeded', outputs: {} }
  }
  const outputs = parseJsonObject(text)
  if (outputs === undefined) {
    return { outcome: 'failed', reason: 'InvalidOutput', message: `${source} does not hold a JSON object` }
  }
  return { outcome: 'succeeded', ...keepDeclared(outputs, declared) }
}

/** Builds the allow-listed environment of a command. */
function commandEnv(
  agentEnv: Readonly<Record<string, string | undefined>>,
  req: DispatchRequest,
  outputsPath: string,
): Record<string, string> {
  const env: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [key, value] of Object.entries(agentEnv)) {
    if (value !== undefined && (ENV_ALLOW.has(key) || key.startsWith('PLANSPEC_'))) env[key] = value
  }
  for (const [name, value] of Object.entries(req.inputs)) {
    const key = `PLANSPEC_INPUT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
    env[key] = typeof value === 'string' ? value : (JSON.stringify(value) ?? '')
  }
  env['PLANSPEC_RUN_ID'] = req.runId
  env['PLANSPEC_NODE'] = req.node
  env['PLANSPEC_ATTEMPT'] = String(req.attempt)
  env['PLANSPEC_OUTPUTS'] = outputsPath
  return env
}
