/** The two output streams of an attempt. */
export type LogStream = 'stdout' | 'stderr'

/** The streams in the order they are stored and shown. */
export const LOG_STREAMS: readonly LogStream[] = ['stdout', 'stderr']

/** Default cap on what is kept of each stream of each attempt: 256 KiB (head and tail). */
export const DEFAULT_LOG_MAX_BYTES = 256 * 1024

/** Node extension key listing the attempts whose output is kept (`[{ attempt, stream, bytes, truncated }]`). */
export const LOGS_KEY = 'io.planspec.logs'

/** What is kept of one stream of one attempt: capped and secret-masked text. */
export interface AttemptLog {
  readonly node: string
  /** Attempt number, from 1. */
  readonly attempt: number
  readonly stream: LogStream
  /** The text kept: the whole output, or its head and tail around a truncation marker. */
  readonly text: string
  /** Bytes the attempt printed on this stream (as captured, before the cap). */
  readonly bytes: number
  /** True when bytes were dropped between the head and the tail. */
  readonly truncated: boolean
}

/** A reference to a kept log, as the node's status lists it (`LOGS_KEY`). */
export interface AttemptLogRef {
  readonly attempt: number
  readonly stream: LogStream
  readonly bytes: number
  readonly truncated: boolean
}

/** Text capped by {@link capLogText}. */
export interface CappedText {
  readonly text: string
  /** Bytes of the text before the cap (UTF-8). */
  readonly bytes: number
  readonly truncated: boolean
}

/**
 * Caps a text to about `maxBytes` of UTF-8: text that fits is kept whole; longer text keeps its
 * first quarter and its last three quarters around one line `[... N bytes truncated ...]` (cut on
 * character boundaries), so both how a command started and how it ended (its last lines, its
 * error) stay readable.
 *
 * @example
 * ```ts
 * capLogText('x'.repeat(100), 40).text // 'xxxxxxxxxx\n[... 60 bytes truncated ...]\nxxx…' (10 + 30 bytes kept)
 * ```
 */
export function capLogText(text: string, maxBytes: number): CappedText {
  const bytes = new TextEncoder().encode(text)
  if (bytes.length <= maxBytes) return { text, bytes: bytes.length, truncated: false }
  // Cuts fall on character boundaries (never inside a UTF-8 sequence): the head ends before, the tail starts after, a continuation byte.
  const continuation = (i: number): boolean => (Number(bytes[i]) & 0xc0) === 0x80
  let headEnd = Math.floor(maxBytes / 4)
  while (headEnd > 0 && continuation(headEnd)) headEnd--
  let tailStart = bytes.length - (maxBytes - Math.floor(maxBytes / 4))
  while (tailStart < bytes.length && continuation(tailStart)) tailStart++
  const decoder = new TextDecoder('utf-8')
  const kept = `${decoder.decode(bytes.subarray(0, headEnd))}\n[... ${tailStart - headEnd} bytes truncated ...]\n${decoder.decode(bytes.subarray(tailStart))}`
  return { text: kept, bytes: bytes.length, truncated: true }
}

/** Which logs to show (`planspec logs`): one node or every node, the last attempt or a given one or all, one stream or both. */
export interface LogQuery {
  readonly node?: string
  /** One attempt; the last attempt of each node when neither this nor `allAttempts` is set. */
  readonly attempt?: number
  readonly allAttempts?: boolean
  readonly stream?: LogStream
}

/**
 * Selects the logs a query asks for, ordered by node, attempt, then stdout before stderr.
 *
 * @example
 * ```ts
 * selectAttemptLogs(logs, { node: 'build' }) // the last attempt of build: its stdout and stderr
 * ```
 */
export function selectAttemptLogs(logs: readonly AttemptLog[], query: LogQuery): AttemptLog[] {
  const chosen = logs.filter((l) => (query.node === undefined || l.node === query.node) && (query.stream === undefined || l.stream === query.stream))
  const last = new Map<string, number>()
  for (const l of chosen) last.set(l.node, Math.max(last.get(l.node) ?? 0, l.attempt))
  const wanted = (l: AttemptLog): boolean => (query.allAttempts === true ? true : query.attempt !== undefined ? l.attempt === query.attempt : l.attempt === last.get(l.node))
  return chosen.filter(wanted).sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.attempt - b.attempt || LOG_STREAMS.indexOf(a.stream) - LOG_STREAMS.indexOf(b.stream)))
}

/** Keeps the last `lines` lines of a text (a trailing newline does not count as a line). */
export function tailLines(text: string, lines: number): string {
  if (lines < 0) return text
  if (lines === 0) return ''
  const body = text.endsWith('\n') ? text.slice(0, -1) : text
  const parts = body.split('\n')
  const kept = parts.slice(Math.max(0, parts.length - lines)).join('\n')
  return body === text ? kept : `${kept}\n`
}

/**
 * Renders selected logs as `planspec logs` prints them: one log alone as it is; several each under
 * a `==> NODE attempt N STREAM <==` header (like `tail` with several files; `headers` forces
 * them on or off). `tail` keeps the last lines of each.
 *
 * @example
 * ```ts
 * renderAttemptLogs([{ node: 'build', attempt: 1, stream: 'stdout', text: 'ok\n', bytes: 3, truncated: false }]) // 'ok\n'
 * ```
 */
export function renderAttemptLogs(logs: readonly AttemptLog[], options: { readonly tail?: number; readonly headers?: boolean } = {}): string {
  const body = (l: AttemptLog): string => {
    const text = options.tail === undefined ? l.text : tailLines(l.text, options.tail)
    return text === '' || text.endsWith('\n') ? text : `${text}\n`
  }
  if (!(options.headers ?? logs.length > 1)) return logs.map(body).join('')
  return logs.map((l) => `==> ${l.node} attempt ${l.attempt} ${l.stream} <==\n${body(l)}`).join('')
}

/** The references a node's status keeps for its attempts' logs (see `LOGS_KEY`). */
export function logRefsOf(extensions: Readonly<Record<string, unknown>> | undefined): AttemptLogRef[] {
  const value = extensions?.[LOGS_KEY]
  if (!Array.isArray(value)) return []
  return value.filter((r): r is AttemptLogRef => typeof r === 'object' && r !== null && typeof (r as AttemptLogRef).attempt === 'number' && LOG_STREAMS.includes((r as AttemptLogRef).stream))
}

/** How many attempts of each node keep their logs by default (older ones are dropped as new ones arrive). */
export const DEFAULT_LOG_ATTEMPTS_KEPT = 10

/**
 * Merges newly recorded logs into the kept ones: a log of the same node, attempt and stream is
 * replaced, and each node keeps its last `attemptsKept` attempts, so a store of logs stays bounded
 * (streams capped, attempts counted).
 *
 * @example
 * ```ts
 * mergeAttemptLogs(kept, [{ node: 'build', attempt: 2, stream: 'stdout', text: 'ok\n', bytes: 3, truncated: false }])
 * ```
 */
export function mergeAttemptLogs(kept: readonly AttemptLog[], added: readonly AttemptLog[], attemptsKept = DEFAULT_LOG_ATTEMPTS_KEPT): AttemptLog[] {
  const key = (l: AttemptLog): string => `${l.node}\u0000${l.attempt}\u0000${l.stream}`
  const merged = new Map<string, AttemptLog>()
  for (const l of [...kept, ...added]) merged.set(key(l), l)
  // Each node's attempts, newest first; the first `attemptsKept` of them stay.
  const attempts = new Map<string, number[]>()
  for (const l of merged.values()) attempts.set(l.node, [...(attempts.get(l.node) ?? []), l.attempt])
  const keptAttempts = new Set([...attempts].flatMap(([node, numbers]) => [...new Set(numbers)].sort((a, b) => b - a).slice(0, attemptsKept).map((n) => `${node}\u0000${n}`)))
  return selectAttemptLogs([...merged.values()].filter((l) => keptAttempts.has(`${l.node}\u0000${l.attempt}`)), { allAttempts: true })
}

/** Follows logs as they grow (`planspec logs -f`, the API's `follow=true`); see {@link createLogFollower}. */
export interface LogFollower {
  /** Returns the text to print for the logs as they are now: what was not printed yet. */
  next(logs: readonly AttemptLog[]): string
}

/**
 * Creates a follower of growing logs: each call with the logs as kept now returns what is new,
 * under a `==> NODE attempt N STREAM <==` header whenever the log printed changes (like `tail -f`
 * with several files; `headers: false` when only one log can be followed). A log kept while its attempt runs grows; when its final version was cut by
 * the cap, what follows what was printed is the truncation marker and the kept tail.
 *
 * @example
 * ```ts
 * const follower = createLogFollower()
 * follower.next(logsNow) // '==> build attempt 1 stdout <==\nstep 1\n'
 * follower.next(logsLater) // 'step 2\n'
 * ```
 */
export function createLogFollower(options: { readonly headers?: boolean } = {}): LogFollower {
  const printed = new Map<string, string>()
  let current: string | undefined
  let atLineStart = true
  return {
    next(logs) {
      let out = ''
      for (const log of logs) {
        const key = `${log.node}\u0000${log.attempt}\u0000${log.stream}`
        const before = printed.get(key) ?? ''
        if (log.text === before) continue
        let fresh: string
        if (log.text.startsWith(before)) fresh = log.text.slice(before.length)
        else {
          const marker = /\n(\[\.\.\. \d+ bytes truncated \.\.\.\]\n)/.exec(log.text)
          fresh = marker === null ? log.text : `${before.endsWith('\n') ? '' : '\n'}${log.text.slice(marker.index + 1)}`
        }
        printed.set(key, log.text)
        if (fresh === '') continue
        if (current !== key && options.headers !== false) out += `${atLineStart ? '' : '\n'}==> ${log.node} attempt ${log.attempt} ${log.stream} <==\n`
        current = key
        out += fresh
        atLineStart = fresh.endsWith('\n')
      }
      return out
    },
  }
}
