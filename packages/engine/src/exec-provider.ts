import { spawn as nodeSpawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { lstat, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isCommandAllowed } from './command-allowed.js'
import { clip, keepDeclared, lastLine, parseJsonObject } from './internal/outputs.js'
import { commandEnv } from './internal/command-env.js'
import type { RunArgvResult } from './internal/run-argv.js'
import { reattachSupervised, runSupervised } from './internal/supervised-run.js'
import { maskText } from './internal/mask-text.js'
import { capLogText, DEFAULT_LOG_MAX_BYTES, schemesOf, type Redactor } from '@planspec/core'
import type { AttemptOutput, DispatchRequest, DispatchResult, Policy, Provider, Reattached, SpawnFn } from './types.js'

/** Default cap on stdout, stderr and the outputs file: 1 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024
/** Default attempt budget when neither the request nor the config sets one: 10 minutes. */
export const DEFAULT_EXEC_TIMEOUT_MS = 10 * 60 * 1000

/** Effects and policy of the command providers. */
export interface ExecProviderDeps {
  policy: Policy
  /** `child_process.spawn`; tests inject a counting wrapper. */
  spawn?: SpawnFn
  /** The process's environment (default `process.env`): only `PATH`, `LANG` and what a Binding's `config.env` names (under `policy.allowEnv`) reach a command. */
  env?: Readonly<Record<string, string | undefined>>
  /** Secret values redacted from every message. */
  secrets?: readonly string[]
  /** The shell's redactor (masks messages; learns values a Binding's env marks secret). */
  redactor?: Redactor
  /**
   * Where each attempt's journal and files live (`<attemptsDir>/<hash of runId>`): give the same
   * directory after a restart and attempts are re-attached to (default: a new temporary directory,
   * so nothing survives the process).
   */
  attemptsDir?: string
  /** Between SIGTERM and SIGKILL when an attempt's process group is stopped (default 5 s). */
  graceMs?: number
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
  return { schemes: schemesOf('exec'), dispatch: (req) => dispatchCommand(deps, req), reattach: (req) => reattachCommand(deps, req), release: (runId) => releaseCommand(deps, runId), peekOutput: (runId) => readAttemptOutput(deps, attemptDir(deps, runId)) }
}

const defaultRoots = new WeakMap<ExecProviderDeps, string>()

/** The directory of one attempt's journal and files. */
export function attemptDir(deps: ExecProviderDeps, runId: string): string {
  let root = deps.attemptsDir ?? defaultRoots.get(deps)
  if (root === undefined) defaultRoots.set(deps, (root = mkdtempSync(join(tmpdir(), 'planspec-attempts-'))))
  return join(root, createHash('sha256').update(runId).digest('hex').slice(0, 32))
}

/**
 * Finds a command attempt a previous runner started (same `attemptsDir`): never started, its
 * result (re-attached, waiting for it to end), or lost (its supervisor died without recording an
 * end; what was left of its process group is terminated first). See `reattachSupervised`.
 */
export async function reattachCommand(deps: ExecProviderDeps, req: Pick<DispatchRequest, 'runId' | 'declaredOutputs' | 'signal'>): Promise<Reattached> {
  const dir = attemptDir(deps, req.runId)
  const maxBytes = deps.policy.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES
  const found = await reattachSupervised(dir, { signal: req.signal, maxBytes, ...(deps.graceMs === undefined ? {} : { graceMs: deps.graceMs }) })
  if (found.state === 'not-started') return found
  if (found.state === 'lost') return { state: 'lost', message: `attempt ${req.runId} ended while the runner was down and left no result${found.terminated ? '; what was left of its process group was terminated' : ''}` }
  return { state: 'attached', result: found.result.then((result) => withOutput(deps, dir, result, toDispatchResult(deps, result, join(dir, 'outputs.json'), maxBytes, req.declaredOutputs, 'the attempt'))) }
}

/** Removes an attempt's directory once its result is recorded. */
async function releaseCommand(deps: ExecProviderDeps, runId: string): Promise<void> {
  await rm(attemptDir(deps, runId), { recursive: true, force: true })
}

/**
 * Runs one attempt of a command-backed node. Never throws.
 *
 * - `config.command` must be a non-empty string array (`InvalidConfig`), and `command[0]` must
 *   be on the allow-list (`NotAllowed`; nothing is spawned).
 * - The inputs go as JSON on stdin (then closed) and as `PLANSPEC_INPUT_<NAME>` env vars (name
 *   upper-cased, other characters than `A-Z0-9` turned into `_`; strings as they are, other
 *   values as JSON). The rest of the env is explicit (DECISIONS §9): `PATH` and `LANG` of the
 *   process, `HOME` = the workspace, what the Binding's `config.env` names (see `commandEnv`;
 *   refused with `NotAllowed`/`InvalidConfig`), plus `PLANSPEC_RUN_ID`, `PLANSPEC_NODE`,
 *   `PLANSPEC_ATTEMPT` and `PLANSPEC_OUTPUTS`. Nothing else of the agent's or server's own
 *   variables (its git token, its keys) ever reaches a command.
 * - cwd is `req.workspace`. The command runs under a supervisor in its own process group, which
 *   is journaled (pid, pgid, start time) in `attemptsDir` before the command may start; the
 *   supervisor records how it ended on disk, so a restarted runner re-attaches to it (see
 *   {@link reattachCommand}). The budget is `req.timeoutMs`, else `config.timeoutMs`, else 10
 *   minutes; the supervisor enforces it even when the runner is gone.
 * - Outputs: the JSON object in the file named by `$PLANSPEC_OUTPUTS` if the command wrote it,
 *   else the JSON object on the last non-empty stdout line, else `{}` when stdout is empty.
 *   Undeclared keys are dropped (named in `message`).
 * - Failures: `Timeout`, `Cancelled`, `OutputTooLarge`, `Crashed` (killed by a signal, or could
 *   not start), `ExitCode` (with the redacted last stderr line), `InvalidOutput`.
 */
export async function dispatchCommand(deps: ExecProviderDeps, req: DispatchRequest): Promise<DispatchResult> {
  const command = req.config['command']
  if (!Array.isArray(command) || command.length === 0 || !command.every((a): a is string => typeof a === 'string')) {
    return { outcome: 'failed', reason: 'InvalidConfig', message: 'config.command must be a non-empty array of strings' }
  }
  const executable = command[0] ?? ''
  if (!isCommandAllowed(executable, deps.policy.allowCommands)) {
    return {
      outcome: 'failed',
      reason: 'NotAllowed',
      message: clip(maskText(deps, `command ${JSON.stringify(executable)} is not on the allow-list (allow it with --allow-command, an absolute path or a glob)`)),
    }
  }
  if (req.signal.aborted) return { outcome: 'failed', reason: 'Cancelled', message: 'command was cancelled' }
  const base = commandEnv({ processEnv: deps.env ?? process.env, workspace: req.workspace, bindingEnv: req.config['env'], allowEnv: deps.policy.allowEnv ?? [], ...(deps.redactor === undefined ? {} : { redactor: deps.redactor }) })
  if (!base.ok) return { outcome: 'failed', reason: base.reason, message: clip(maskText(deps, base.message)) }
  const maxBytes = deps.policy.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES
  const configTimeout = req.config['timeoutMs']
  const timeoutMs = req.timeoutMs ?? (typeof configTimeout === 'number' ? configTimeout : DEFAULT_EXEC_TIMEOUT_MS)
  const dir = attemptDir(deps, req.runId)
  const outputsPath = join(dir, 'outputs.json')
  const result = await runSupervised({
    spawn: deps.spawn ?? nodeSpawn,
    runId: req.runId,
    dir,
    argv: command,
    cwd: req.workspace,
    env: attemptEnv(base.env, req, outputsPath),
    stdin: JSON.stringify(req.inputs),
    timeoutMs,
    maxBytes,
    signal: req.signal,
    ...(deps.graceMs === undefined ? {} : { graceMs: deps.graceMs }),
  })
  return withOutput(deps, dir, result, toDispatchResult(deps, result, outputsPath, maxBytes, req.declaredOutputs, `after ${timeoutMs}ms`))
}

/**
 * Adds what the command printed to its result (`planspec logs`): the supervisor's copies of
 * stdout and stderr (already bounded by `maxOutputBytes`), secrets masked first, then capped to
 * `maxLogBytes` per stream, so a cut never leaves half a secret unmasked. A command that never
 * started printed nothing to keep.
 */
async function withOutput(deps: ExecProviderDeps, dir: string, ran: RunArgvResult, pending: Promise<DispatchResult>): Promise<DispatchResult> {
  const result = await pending
  if (ran.kind === 'spawn-error' || result.outcome === 'pending') return result
  return { ...result, output: await readAttemptOutput(deps, dir) }
}

/** Reads an attempt's captured streams, masked and capped. */
async function readAttemptOutput(deps: ExecProviderDeps, dir: string): Promise<AttemptOutput> {
  const max = deps.policy.maxLogBytes ?? DEFAULT_LOG_MAX_BYTES
  const read = async (name: string): Promise<string> => (await readFile(join(dir, name)).catch(() => Buffer.alloc(0))).toString('utf8')
  const [stdout, stderr] = await Promise.all([read('stdout'), read('stderr')])
  return { stdout: capLogText(maskText(deps, stdout), max), stderr: capLogText(maskText(deps, stderr), max) }
}

/** How a command ended, as the attempt's result (`within`: how the timeout is described). */
async function toDispatchResult(deps: ExecProviderDeps, result: RunArgvResult, outputsPath: string, maxBytes: number, declared: readonly string[], within: string): Promise<DispatchResult> {
  switch (result.kind) {
    case 'timeout':
      return { outcome: 'failed', reason: 'Timeout', message: within.startsWith('after') ? `command timed out ${within}` : 'command timed out' }
    case 'cancelled':
      return { outcome: 'failed', reason: 'Cancelled', message: 'command was cancelled' }
    case 'too-large':
      return { outcome: 'failed', reason: 'OutputTooLarge', message: `${result.stream} exceeded ${maxBytes} bytes` }
    case 'spawn-error':
      return { outcome: 'failed', reason: 'Crashed', message: `command could not start (${result.code})` }
    case 'signaled':
      return { outcome: 'failed', reason: 'Crashed', message: `command was killed by ${result.signal}`, ...logOf(deps, result.stdout, result.stderr) }
    case 'exited':
      if (result.code !== 0) {
        const detail = lastLine(result.stderr)
        const message = `command exited with code ${result.code}${detail === undefined ? '' : `: ${detail}`}`
        return { outcome: 'failed', reason: 'ExitCode', message: clip(maskText(deps, message)), ...logOf(deps, result.stdout, result.stderr) }
      }
      return await readOutputs(outputsPath, result.stdout, maxBytes, declared)
  }
}

/** The last bytes a failed command printed, secrets masked: what a person opens to see why. */
const LOG_TAIL_CHARS = 2048
function logOf(deps: ExecProviderDeps, stdout: string, stderr: string): { log?: string } {
  const parts = [stdout.trim() === '' ? '' : stdout.trimEnd(), stderr.trim() === '' ? '' : stderr.trimEnd()].filter((part) => part !== '')
  if (parts.length === 0) return {}
  const text = maskText(deps, parts.join('\n'))
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

/** Adds what one attempt tells its command to the explicit environment: inputs, run id, node, attempt and the outputs file. */
function attemptEnv(base: Readonly<Record<string, string>>, req: DispatchRequest, outputsPath: string): Record<string, string> {
  const env: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, base)
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
