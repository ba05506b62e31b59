import type { ChildProcess } from 'node:child_process'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { SpawnFn } from '../types.js'
import { SUPERVISOR_SOURCE } from './attempt-supervisor.js'
import { leaderAlive, processStartTime, terminateGroup, type RecordedGroup } from './process-group.js'
import type { RunArgvResult } from './run-argv.js'

/** What the journal of an attempt holds, written before its command may start. */
export interface AttemptJournal extends RecordedGroup {
  readonly runId: string
  /** Epoch ms past which the supervisor stops the command (`timeout`). */
  readonly deadline: number
}

/** Inputs of {@link runSupervised}. */
export interface SupervisedRunOptions {
  readonly spawn: SpawnFn
  readonly runId: string
  /** The attempt's own directory: journal, stdin, stdout, stderr, result (created, 0700). */
  readonly dir: string
  readonly argv: readonly string[]
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  readonly stdin: string
  readonly timeoutMs: number
  readonly maxBytes: number
  readonly signal: AbortSignal
  /** Between SIGTERM and SIGKILL when the group is stopped (default 5 s). */
  readonly graceMs?: number
}

/** A supervised attempt found after a restart (see {@link reattachSupervised}). */
export type Reattachment =
  | { readonly state: 'not-started' }
  | { readonly state: 'attached'; readonly result: Promise<RunArgvResult> }
  | { readonly state: 'lost'; readonly terminated: boolean }

const POLL_MS = 100
const DEFAULT_GRACE_MS = 5_000

/**
 * Runs an argv under a supervisor (see `SUPERVISOR_SOURCE`) so the attempt survives the runner and
 * can be re-attached (DECISIONS §9 "no side effect twice"): the supervisor is spawned in its own
 * process group, its pid, pgid and start time are journaled (`journal.json`, fsynced) and only
 * then is it told to start the command. Resolves with how the command ended, read from the files
 * the supervisor wrote. Cancelling (`signal`) stops the group (SIGTERM, grace, SIGKILL). Never
 * throws.
 */
export async function runSupervised(opts: SupervisedRunOptions): Promise<RunArgvResult> {
  if (opts.argv.length === 0) return { kind: 'spawn-error', code: 'EMPTY_ARGV' }
  rmSync(opts.dir, { recursive: true, force: true })
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 })
  writeDurably(join(opts.dir, 'stdin'), opts.stdin)
  const deadline = Date.now() + opts.timeoutMs
  let child: ChildProcess
  try {
    child = opts.spawn(process.execPath, ['-e', SUPERVISOR_SOURCE, opts.dir, String(deadline), String(opts.maxBytes), '--', ...opts.argv], { cwd: opts.cwd, env: { ...opts.env }, shell: false, detached: true, stdio: ['pipe', 'ignore', 'ignore'], windowsHide: true })
  } catch (error) {
    return { kind: 'spawn-error', code: codeOf(error) }
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true))
    child.once('error', () => resolve(false))
  })
  if (!spawned || child.pid === undefined) return { kind: 'spawn-error', code: 'SUPERVISOR_FAILED' }
  child.stdin?.on('error', () => undefined)
  const journal: AttemptJournal = { runId: opts.runId, pid: child.pid, pgid: child.pid, deadline, ...withStartTime(child.pid) }
  writeDurably(join(opts.dir, 'journal.json'), JSON.stringify(journal))
  child.stdin?.end('go\n')
  return waitForResult(opts.dir, journal, opts.signal, opts.graceMs ?? DEFAULT_GRACE_MS, opts.maxBytes, exited)
}

/**
 * Finds a supervised attempt a previous runner started, by its directory: no journal means it
 * never started (its supervisor, told nothing, ran nothing); a recorded result is collected; a
 * supervisor still running is re-attached to (its result when it ends; `signal` stops it); a
 * supervisor gone without a result is `lost`, and what is left of its group is terminated first,
 * so nothing of it runs while the attempt is retried.
 */
export async function reattachSupervised(dir: string, options: { readonly signal: AbortSignal; readonly maxBytes: number; readonly graceMs?: number }): Promise<Reattachment> {
  const journal = readJson<AttemptJournal>(join(dir, 'journal.json'))
  if (journal === undefined) return { state: 'not-started' }
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS
  if (existsSync(join(dir, 'result.json')) || leaderAlive(journal)) return { state: 'attached', result: waitForResult(dir, journal, options.signal, graceMs, options.maxBytes) }
  return { state: 'lost', terminated: await terminateGroup(journal, graceMs) }
}

/** Waits until the supervisor records a result or dies, stopping the group on cancel or long past its deadline. */
async function waitForResult(dir: string, journal: AttemptJournal, signal: AbortSignal, graceMs: number, maxBytes: number, exited?: Promise<void>): Promise<RunArgvResult> {
  const aborted = new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', resolve, { once: true })))
  for (;;) {
    const result = readResult(dir, maxBytes)
    if (result !== undefined) return result
    if (signal.aborted) {
      await terminateGroup(journal, graceMs)
      return { kind: 'cancelled' }
    }
    if (!leaderAlive(journal)) return readResult(dir, maxBytes) ?? { kind: 'signaled', signal: 'SIGKILL', stdout: '', stderr: '' }
    // The supervisor enforces the deadline itself; this is the backstop if it could not.
    if (Date.now() > journal.deadline + graceMs) {
      await terminateGroup(journal, graceMs)
      return { kind: 'timeout' }
    }
    let timer: NodeJS.Timeout | undefined
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, POLL_MS))), ...(exited === undefined ? [] : [exited]), aborted])
    clearTimeout(timer)
  }
}

function readResult(dir: string, maxBytes: number): RunArgvResult | undefined {
  const recorded = readJson<{ kind: string; code?: number | string; signal?: string; stream?: 'stdout' | 'stderr' }>(join(dir, 'result.json'))
  if (recorded === undefined) return undefined
  const output = (name: string): string => {
    try {
      return readFileSync(join(dir, name)).subarray(0, maxBytes).toString('utf8')
    } catch {
      return ''
    }
  }
  switch (recorded.kind) {
    case 'exited':
      return { kind: 'exited', code: Number(recorded.code ?? -1), stdout: output('stdout'), stderr: output('stderr') }
    case 'signaled':
      return { kind: 'signaled', signal: String(recorded.signal), stdout: output('stdout'), stderr: output('stderr') }
    case 'timeout':
      return { kind: 'timeout' }
    case 'too-large':
      return { kind: 'too-large', stream: recorded.stream === 'stderr' ? 'stderr' : 'stdout' }
    default:
      return { kind: 'spawn-error', code: String(recorded.code ?? 'SPAWN_FAILED') }
  }
}

function withStartTime(pid: number): { startTime?: string } {
  const startTime = processStartTime(pid)
  return startTime === undefined ? {} : { startTime }
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

/** Writes a file readable by its owner only, durably: temp file, fsync, rename, fsync of the directory. */
function writeDurably(path: string, text: string): void {
  const temporary = `${path}.tmp`
  const fd = openSync(temporary, 'w', 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, path)
  try {
    const fd = openSync(dirname(path), 'r')
    fsyncSync(fd)
    closeSync(fd)
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is atomic.
  }
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'SPAWN_FAILED'
}
