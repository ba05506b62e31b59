import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ResourceClient } from '@planspec/client'
import { createLogFollower, renderAttemptLogs, sanitizeTerminalText, selectAttemptLogs, type AttemptLog, type LogQuery, type LogStream } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { readStateLogs } from './state-logs.js'
import { pause } from './wait.js'

/** An Execution's logs and where it stands, from wherever they are kept. */
export interface LogsSnapshot {
  readonly phase?: string
  /** Each node's phase. */
  readonly nodes: Readonly<Record<string, string | undefined>>
  readonly logs: readonly AttemptLog[]
}

/** Where `planspec logs` reads: the client port (a repository or a server) or a `planspec run` state file. */
export interface LogsSource {
  /** Where it reads, safe to print. */
  readonly target: string
  /** The Execution's logs now; undefined when it does not exist. */
  read(): Promise<LogsSnapshot | undefined>
  /** Follows the logs as the other end streams them (a server); absent: `-f` polls `read`. */
  follow?(query: LogQuery & { readonly tail?: number }, onText: (text: string) => void, signal?: AbortSignal): Promise<boolean>
}

/** Options of `planspec logs`. */
export interface LogsOptions extends LogQuery {
  readonly execution: string
  readonly follow?: boolean
  /** The last lines of each log. */
  readonly tail?: number
  /** How often a follow reads again (default 1 s against a server, 2 s otherwise). */
  readonly pollMs?: number
}

/** The effects of `logs`: how to sleep (tests pass a fast one). */
export interface LogsDeps {
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>
}

const FINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Cancelled', 'Skipped'])

/**
 * Reads the logs through the client port: the status branch's log blobs in git mode, the
 * `executions/{name}/log` subresource of a server.
 */
export function clientLogsSource(client: ResourceClient, namespace: string | undefined): (execution: string) => LogsSource {
  return (execution) => ({
    target: client.target,
    async read() {
      const found = await client.logs(execution, namespace)
      if (found === undefined) return undefined
      return { ...phasesOf(found.execution.status), logs: found.logs }
    },
    ...(client.followLogs === undefined ? {} : { follow: (query, onText, signal) => client.followLogs!(execution, namespace, query, onText, signal) }),
  })
}

/** Reads the logs `planspec run --state FILE` kept beside its state file (the Execution's name is not checked: the file holds one run). */
export function stateLogsSource(statePath: string, cwd: string): (execution: string) => LogsSource {
  const path = resolve(cwd, statePath)
  return () => ({
    target: path,
    async read() {
      if (!existsSync(path)) return undefined
      let status: unknown
      try {
        status = JSON.parse(readFileSync(path, 'utf8'))
      } catch (error) {
        throw new UsageError(`${path} is not a run's state file: ${(error as Error).message}`)
      }
      return { ...phasesOf(status), logs: readStateLogs(path) }
    },
  })
}

function phasesOf(status: unknown): Omit<LogsSnapshot, 'logs'> {
  const s = (status ?? {}) as { phase?: string; nodeStatuses?: Record<string, { phase?: string } | undefined> }
  return { ...(s.phase === undefined ? {} : { phase: s.phase }), nodes: Object.fromEntries(Object.entries(s.nodeStatuses ?? {}).map(([id, n]) => [id, n?.phase])) }
}

/**
 * Runs `planspec logs EXECUTION [NODE]`: prints the kept output of the Execution's attempts (each
 * node's last attempt by default; `--attempt N`, `--all-attempts`; both streams, or `--stream`),
 * the same text in every mode. Several logs are printed each under a `==> NODE attempt N STREAM
 * <==` header. With `follow`, it prints what each attempt prints while it runs (saved every
 * second or so by the runner; a new header whenever the log printed changes), until the
 * Execution (or NODE) reaches a final phase: a server streams it (`log?follow=true`), other
 * sources are read again every `pollMs`. Ctrl-C ends it. Exit 0, 1 when
 * the Execution or the node does not exist, 2 on bad usage.
 *
 * @example
 * await runLogs(clientLogsSource(client, 'default')('release-1'), { execution: 'release-1', node: 'build' }, io)
 */
export async function runLogs(source: LogsSource, options: LogsOptions, io: CommandIO, deps: LogsDeps = {}): Promise<number> {
  const sleep = deps.sleep ?? pause
  const query: LogQuery = { ...(options.node === undefined ? {} : { node: options.node }), ...(options.attempt === undefined ? {} : { attempt: options.attempt }), ...(options.allAttempts ? { allAttempts: true } : {}), ...(options.stream === undefined ? {} : { stream: options.stream }) }
  // Headers whenever more than one log can be printed, so the output's shape does not depend on timing.
  const headers = !(options.node !== undefined && options.stream !== undefined && (options.attempt !== undefined || (!options.allAttempts && !options.follow)))
  const follower = createLogFollower({ headers })
  const write = (text: string): void => {
    // A terminal gets no control sequence a command printed (they could move the cursor or retitle it); a pipe gets the text as kept.
    if (text !== '') io.stdout.write(io.stdout.isTTY ? sanitizeTerminalText(text) : text)
  }
  const print = (logs: readonly AttemptLog[], first: boolean): number => {
    // Following, the logs grow while attempts run: the follower prints what is new; --tail cuts the first print only.
    const fresh = follower.next(logs)
    write(!options.follow || (first && options.tail !== undefined) ? renderAttemptLogs(logs, { headers, ...(options.tail === undefined ? {} : { tail: options.tail }) }) : fresh)
    return logs.length
  }
  let first = true
  for (;;) {
    const snapshot = await source.read()
    if (snapshot === undefined) {
      io.stderr.write(`error: execution "${options.execution}" not found at ${source.target}\n`)
      return EXIT.findings
    }
    if (options.node !== undefined && !(options.node in snapshot.nodes) && !snapshot.logs.some((l) => l.node === options.node)) {
      const known = Object.keys(snapshot.nodes)
      io.stderr.write(`error: execution "${options.execution}" has no node "${options.node}"${known.length ? ` (nodes: ${known.join(', ')})` : ''}\n`)
      return EXIT.findings
    }
    if (options.follow && source.follow !== undefined) {
      // A server streams what is new itself (the same follower, the same text).
      const ended = await source.follow({ ...query, ...(options.tail === undefined ? {} : { tail: options.tail }) }, write, io.signal)
      if (!ended) io.stderr.write(`error: execution "${options.execution}" not found at ${source.target}\n`)
      return io.signal?.aborted ? EXIT.findings : ended ? EXIT.ok : EXIT.findings
    }
    // Following, every attempt recorded from now on is printed too, not only the last of each node.
    const shown = print(selectAttemptLogs(snapshot.logs, first || options.attempt !== undefined ? query : { ...query, allAttempts: true }), first)
    if (first && shown === 0 && !options.follow) io.stderr.write(`no output kept yet for ${options.node === undefined ? `execution "${options.execution}"` : `node "${options.node}"`}${phaseNote(snapshot, options.node)}\n`)
    first = false
    const phase = options.node === undefined ? snapshot.phase : snapshot.nodes[options.node]
    if (!options.follow || (phase !== undefined && FINAL_PHASES.has(phase)) || (options.node !== undefined && FINAL_PHASES.has(snapshot.phase ?? ''))) return EXIT.ok
    await sleep(options.pollMs ?? 2000, io.signal)
    if (io.signal?.aborted) return EXIT.findings
  }
}

function phaseNote(snapshot: LogsSnapshot, node: string | undefined): string {
  const phase = node === undefined ? snapshot.phase : snapshot.nodes[node]
  return phase === undefined ? '' : ` (${phase})`
}

/** Parses `--stream`. */
export function parseStream(text: string | undefined): LogStream | undefined {
  if (text === undefined) return undefined
  if (text === 'stdout' || text === 'stderr') return text
  throw new UsageError(`--stream must be stdout or stderr, got ${JSON.stringify(text)}`)
}

/** Parses a positive whole number flag (`--attempt`, `--tail`). */
export function parseCount(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${flag} must be a whole number${min > 0 ? ` from ${min}` : ''}, got ${JSON.stringify(text)}`)
  return Number(text)
}
