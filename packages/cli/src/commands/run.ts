import { mkdirSync, mkdtempSync, openSync, fsyncSync, closeSync, writeFileSync, renameSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { createRedactor, mergeAttemptLogs, type ExecutionStatus, type GateNodeObservation, type Redactor } from '@planspec/core'
import { createHash } from 'node:crypto'
import { createRunWiring, isPolledExternal, observeExternals, prepareRun, runExecution, type DispatchJournal, type RunState } from '@planspec/engine'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { renderProgress, transitionLines } from '../progress.js'
import { secretValues } from '../secret-values.js'
import { sanitizeTerminalText } from '@planspec/core'
import { validatePaths, DEFAULTS, maxLogBytesOf } from './validate.js'
import { readStateLogs, stateLogsPath } from './state-logs.js'

/** Options of `planspec run`. */
export interface RunOptions {
  readonly path: string
  readonly execution: string
  readonly namespace?: string
  readonly state?: string
  readonly approve: readonly string[]
  readonly workspace?: string
  readonly allowCommands: readonly string[]
  readonly allowUrls: readonly string[]
  /** Process variables a Binding's `config.env` may hand to commands (patterns). */
  readonly allowEnv?: readonly string[]
  /** What is kept of each stream of each attempt (`--max-log-bytes`, a size such as 64KiB). */
  readonly maxLogBytes?: string
  readonly output: 'text' | 'json'
}

/**
 * Runs `planspec run`: one Execution to completion against the manifests under a path, with the
 * same providers, allow-lists and workspace flags as the agent. With `--state FILE` the status is
 * written (atomically: temp file, fsync, rename) after every transition, and a run that was
 * killed resumes where it stopped. Gates are approved with `--approve GATE` or, on a terminal,
 * at a prompt. Exit 0 Succeeded, 1 Failed, Cancelled or left Blocked, 2 usage or invalid input.
 */
export async function runRun(options: RunOptions, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const result = await validatePaths({ paths: [options.path], compat: false, closed: false, ...DEFAULTS }, io)
  const errors = result.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length) {
    for (const d of errors) io.stderr.write(`${d.file}:${d.line}:${d.column}: error ${d.code}: ${d.message}\n`)
    io.stderr.write(`error: the manifests have ${errors.length} error(s); fix them before running (planspec validate ${options.path})\n`)
    return EXIT.findings
  }
  let prepared
  try {
    prepared = prepareRun(result.resources, { name: options.execution, namespace: options.namespace })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const statePath = options.state === undefined ? undefined : resolve(io.cwd, options.state)
  // A resumable run keeps its workspace and its attempts' journals beside the state file, so a
  // restarted run finds the attempts the killed one started (re-attached, or stopped).
  const workspace = resolve(io.cwd, options.workspace ?? (statePath === undefined ? mkdtempSync(join(tmpdir(), `planspec-${options.execution}-`)) : `${statePath}.workspace`))
  mkdirSync(workspace, { recursive: true })
  const approved = new Set(options.approve)
  const tty = Boolean(io.stdout.isTTY) && options.output === 'text'
  const asked = new Map<string, boolean>()
  // Lines the prompts left below the table: the next redraw moves up over them too.
  const prompted = { lines: 0 }
  const gate = async (node: string, ref: { name: string; namespace?: string }): Promise<GateNodeObservation> => {
    if (approved.has(ref.name)) return { phase: 'Approved' }
    // A local run sees every resource there is: a Gate missing from the files can never be decided.
    if (!result.resources.some((r) => r.kind === 'Gate' && r.name === ref.name && r.namespace === (prepared.gates.get(node)?.namespace ?? ref.namespace ?? prepared.namespace))) {
      return { phase: 'NotFound', message: `gate "${ref.name}" does not exist in ${options.path}` }
    }
    if (tty && !asked.has(ref.name)) asked.set(ref.name, await confirm(io, `Approve gate "${ref.name}"? [y/N] `, prompted))
    if (asked.get(ref.name) === true) return { phase: 'Approved' }
    if (asked.get(ref.name) === false) return { phase: 'Rejected' }
    return { phase: 'Waiting' }
  }
  let previousLines = 0
  const policy = { allowCommands: options.allowCommands, allowUrls: options.allowUrls, allowEnv: options.allowEnv ?? [], ...maxLogBytesOf(options.maxLogBytes) }
  // Values of secret-looking variables (and those a Binding marks secret) are masked in every
  // sink the run writes: the status it records, the state file, the text and JSON output.
  const wiring = createRunWiring({ policy, env: io.env, redactor: createRedactor(secretValues(io.env)), ...(statePath === undefined ? {} : { attemptsDir: `${statePath}.attempts` }) })
  const { redactor, providers } = wiring
  const print = (text: string): boolean => io.stdout.write(redactor.redact(text))
  const status = await runExecution(prepared.input, {
    ...wiring.runDeps(workspace),
    // webhook and http(s) uri External nodes are polled through the allow-listed client.
    // resource External nodes: a Gate approved with --approve, else the phase recorded in the files.
    external: observeExternals(prepared.externals, providers, (ref) => localResourcePhase(result.resources, ref, approved, prepared.namespace)),
    // Only webhooks and http(s) URIs change while a local run waits; other Externals stop it Blocked.
    externalPolled: (node) => isPolledExternal(prepared.externals.get(node), { resources: false }),
    now: Date.now,
    sleep: (ms, abort) => new Promise((done) => {
      const timer = setTimeout(done, ms)
      abort.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true })
    }),
    state: statePath === undefined ? undefined : fileState(statePath, io.env, redactor),
    journal: statePath === undefined ? undefined : fileJournal(`${statePath}.dispatched`),
    gate,
    signal,
    // What running attempts print is saved every second, so `planspec logs -f --state` follows them.
    logFlushMs: 1000,
    // On a terminal, claimable work (human://, agent://) is completed at a prompt.
    waitForPeople: tty ? (status) => completeClaims(io, status, prompted) : undefined,
    onChange: (next, previous) => {
      if (options.output !== 'text') return
      if (tty) {
        // The cursor moves are ours; the table's text (reasons, messages) is sanitized.
        const table = sanitizeTerminalText(renderProgress(prepared.input.graph, next, { title: `execution ${options.execution} (plan ${prepared.planName})` }))
        const up = previousLines + prompted.lines
        prompted.lines = 0
        print((up ? `\u001b[${up}F\u001b[J` : '') + table)
        previousLines = table.split('\n').length - 1
      } else for (const line of transitionLines(previous, next)) print(`${new Date().toISOString()} ${sanitizeTerminalText(line)}\n`)
    },
  })
  if (options.output === 'json') {
    const execution = result.resources.find((r) => r.kind === 'Execution' && r.name === options.execution)!
    print(JSON.stringify({ ...execution.value, status }, null, 2) + '\n')
  } else print(`${sanitizeTerminalText(`execution ${options.execution}: ${status.phase}${status.reason ? ` (${status.reason})` : ''}${status.message ? `: ${status.message}` : ''}`)}\n`)
  return status.phase === 'Succeeded' ? EXIT.ok : EXIT.findings
}


/**
 * The phase of a resource an External node waits on, in a local run: a Gate named by `--approve`
 * counts as Approved; otherwise the `status.phase` the manifest carries, if any. Anything else
 * stays unknown (the node waits, and the run stops Blocked, resumable with --state): a local run
 * has no store of other resources' statuses (the agent and the server have).
 */
function localResourcePhase(
  resources: readonly { kind: string; name: string; namespace: string; value: Record<string, unknown> }[],
  ref: { name: string; kind?: string; namespace?: string },
  approved: ReadonlySet<string>,
  namespace: string,
): string | undefined {
  if (ref.kind === 'Gate' && approved.has(ref.name)) return 'Approved'
  const found = resources.find((r) => r.name === ref.name && (ref.kind === undefined || r.kind === ref.kind) && r.namespace === (ref.namespace ?? namespace))
  const phase = (found?.value.status as { phase?: unknown } | undefined)?.phase
  return typeof phase === 'string' ? phase : undefined
}

async function completeClaims(io: CommandIO, status: ExecutionStatus, prompted: { lines: number }): Promise<{ node: string; outcome: 'succeeded' | 'failed'; outputs?: Record<string, unknown> }[]> {
  const done: { node: string; outcome: 'succeeded' | 'failed'; outputs?: Record<string, unknown> }[] = []
  for (const [node, s] of Object.entries(status.nodeStatuses ?? {})) {
    if (s?.phase !== 'Blocked' || s.reason !== 'AwaitingClaim') continue
    if (!(await confirm(io, `Node "${node}" is waiting for a worker. Is it done? [y/N] `, prompted))) continue
    const rl = createInterface({ input: io.stdin, output: io.stdout })
    try {
      const answer = await rl.question('Outputs (key=value ..., empty for none): ')
      prompted.lines += 1
      const outputs = Object.fromEntries(answer.split(/\s+/).filter((kv) => kv.includes('=')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
      done.push({ node, outcome: 'succeeded', outputs })
    } finally {
      rl.close()
    }
  }
  return done
}

async function confirm(io: CommandIO, question: string, prompted: { lines: number }): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout })
  try {
    const answer = await rl.question(question)
    prompted.lines += 1
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    rl.close()
  }
}

/**
 * The crash hook of THREATS T1: with `PLANSPEC_CRASH_AT=n`, the process SIGKILLs itself right
 * after its n-th durable write, so tests can enumerate every crash point of a run.
 */
function crashHook(env: CommandIO['env']): () => void {
  const at = Number(env.PLANSPEC_CRASH_AT ?? 0)
  let writes = 0
  return () => {
    if (at > 0 && ++writes === at) process.kill(process.pid, 'SIGKILL')
  }
}

/** Writes a file durably and readable by its owner only: temp file, fsync, rename, so a kill never leaves half of it. */
function writeDurably(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, text, { mode: 0o600 })
  const fd = openSync(temporary, 'r')
  fsyncSync(fd)
  closeSync(fd)
  renameSync(temporary, path)
}

/** The run state as a file, replaced atomically after every transition, with known secrets masked. */
export function fileState(path: string, env: CommandIO['env'] = {}, redactor: Redactor = createRedactor()): RunState {
  const maybeCrash = crashHook(env)
  return {
    async load() {
      return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ExecutionStatus) : undefined
    },
    async save(status, logs) {
      // The logs first: a kill between the two writes leaves logs no status names yet, never a status naming lost logs.
      if (logs !== undefined && logs.length > 0) writeDurably(stateLogsPath(path), redactor.redact(JSON.stringify({ logs: mergeAttemptLogs(readStateLogs(path), logs) })))
      writeDurably(path, redactor.redact(JSON.stringify(status, null, 2)))
      maybeCrash()
    },
    async saveLogs(logs) {
      writeDurably(stateLogsPath(path), redactor.redact(JSON.stringify({ logs: mergeAttemptLogs(readStateLogs(path), logs) })))
    },
  }
}

/** The dispatch journal as one marker file per attempt in a folder beside the state file. */
export function fileJournal(dir: string): DispatchJournal {
  const marker = (runId: string): string => join(dir, createHash('sha256').update(runId).digest('hex').slice(0, 32))
  return {
    async markDispatched(runId) {
      writeDurably(marker(runId), runId)
    },
    async wasDispatched(runId) {
      return existsSync(marker(runId))
    },
  }
}
