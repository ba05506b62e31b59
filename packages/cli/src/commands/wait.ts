import { describeNotFound, type ResourceClient, type ResourceView } from '@planspec/client'
import { sanitizeTerminalText } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../io.js'

/** What `--for` asks: a phase, or a condition with the status it must have (default `True`). */
export type WaitCondition = { readonly phase: string } | { readonly condition: string; readonly status: string }

/** Options of `planspec wait`. */
export interface WaitOptions {
  readonly kind: string
  readonly name: string
  readonly namespace?: string
  readonly for: WaitCondition
  readonly timeoutMs: number
  /** How often the resource is read again (default 1 s against a server, 2 s against a repository). */
  readonly pollMs?: number
}

/** The effects of `wait`: the clock and how to sleep (tests pass fast ones). */
export interface WaitDeps {
  readonly now?: () => number
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>
}

const FINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Cancelled'])

/**
 * Parses `--for`: `phase=NAME` or `condition=TYPE[=STATUS]` (kubectl's `--for=condition=Ready`).
 *
 * @example
 * parseWaitFor('phase=Succeeded') // { phase: 'Succeeded' }
 * parseWaitFor('condition=Ready=False') // { condition: 'Ready', status: 'False' }
 */
export function parseWaitFor(text: string): WaitCondition {
  const [what, value, status, ...rest] = text.split('=')
  if (what === 'phase' && value && status === undefined) return { phase: value }
  if (what === 'condition' && value && rest.length === 0) return { condition: value, status: status ?? 'True' }
  throw new UsageError(`--for must be phase=NAME or condition=TYPE[=STATUS], got ${JSON.stringify(text)}`)
}

/**
 * Runs `planspec wait`: reads one resource through the client port (a server or a repository, the
 * same answer in both modes) until it meets `--for`, then prints `kind/name condition met` and
 * exits 0. Exit 1 when the timeout passes first, when the resource does not exist, or when an
 * Execution reaches a final phase other than the one awaited (it will never get there), each with
 * the phase it was in; Ctrl-C ends it at once.
 *
 * @example
 * await runWait(client, { kind: 'execution', name: 'release-1', for: { phase: 'Succeeded' }, timeoutMs: 300_000 }, io)
 */
export async function runWait(client: ResourceClient, options: WaitOptions, io: CommandIO, deps: WaitDeps = {}): Promise<number> {
  const now = deps.now ?? Date.now
  const sleep = deps.sleep ?? pause
  const deadline = now() + options.timeoutMs
  const pollMs = options.pollMs ?? (client.mode === 'server' ? 1000 : 2000)
  const label = (view: ResourceView | undefined): string => `${(view?.kind ?? options.kind).toLowerCase()}/${options.name}`
  for (;;) {
    const view = await client.get(options.kind, options.name, options.namespace)
    if (view === undefined) {
      io.stderr.write(`error: ${sanitizeTerminalText(await describeNotFound(client, options.kind, options.name, options.namespace))} at ${client.target}\n`)
      return EXIT.findings
    }
    const state = describeState(view)
    if (met(view, options.for)) {
      io.stdout.write(`${label(view)} condition met (${describeWanted(options.for)})\n`)
      return EXIT.ok
    }
    if ('phase' in options.for && view.kind === 'Execution' && state.phase !== undefined && FINAL_PHASES.has(state.phase)) {
      io.stderr.write(`error: ${label(view)} ended ${state.phase}${state.message ? `: ${state.message}` : ''}; it will not become ${options.for.phase}\n`)
      return EXIT.findings
    }
    if (now() >= deadline) {
      io.stderr.write(`error: timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${label(view)} (${describeWanted(options.for)}); it is ${state.phase ?? 'without a phase'}${state.message ? `: ${state.message}` : ''}\n`)
      return EXIT.findings
    }
    await sleep(Math.min(pollMs, Math.max(deadline - now(), 0)), io.signal)
    if (io.signal?.aborted) return EXIT.findings
  }
}

function met(view: ResourceView, wanted: WaitCondition): boolean {
  const status = (view.status ?? {}) as { phase?: unknown; conditions?: Array<{ type?: unknown; status?: unknown }> }
  if ('phase' in wanted) return status.phase === wanted.phase
  return (status.conditions ?? []).some((c) => c.type === wanted.condition && c.status === wanted.status)
}

function describeState(view: ResourceView): { phase?: string; message?: string } {
  const status = (view.status ?? {}) as { phase?: unknown; message?: unknown }
  return { ...(typeof status.phase === 'string' ? { phase: status.phase } : {}), ...(typeof status.message === 'string' && status.message !== '' ? { message: status.message } : {}) }
}

function describeWanted(wanted: WaitCondition): string {
  return 'phase' in wanted ? `phase=${wanted.phase}` : `condition=${wanted.condition}=${wanted.status}`
}

/** Waits `ms`, or less when `signal` aborts (Ctrl-C). */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
