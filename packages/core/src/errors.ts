/**
 * Failures (as opposed to findings, which are returned as diagnostics) are thrown as
 * `PlanSpecError`s: a stable `code`, JSON-able `data`, an optional `cause`, and a retry
 * disposition. See STYLE.md §2 "Errors".
 */

/** Options accepted by the {@link PlanSpecError} constructor. */
export interface PlanSpecErrorOptions {
  /** Stable code of the form `PLANSPEC_ERR_<AREA>_<WHAT>`; callers assert on it, never on the message. */
  readonly code: string
  /** JSON-serialisable details; never put secrets here. Defaults to `{}`. */
  readonly data?: Record<string, unknown>
  /** The error (or any thrown value) this one adds context to. */
  readonly cause?: unknown
  /** Marks the error as terminal: retrying cannot help. Prefer {@link terminal}. */
  readonly terminal?: boolean
}

/** The JSON form of a {@link PlanSpecError}, as returned by `toJSON()`. */
export interface PlanSpecErrorJSON {
  readonly name: string
  readonly code: string
  readonly message: string
  readonly data: Record<string, unknown>
  readonly terminal: boolean
  readonly cause?: unknown
}

/** Code used by {@link terminal} when the wrapped value carries no code of its own. */
export const TERMINAL_ERROR_CODE = 'PLANSPEC_ERR_CORE_TERMINAL'

/** Depth at which `toJSON()` stops following `cause` chains, so cyclic chains stay finite. */
const MAX_CAUSE_DEPTH = 16

/**
 * Represents a failure with a stable `code`, JSON-able `data` and an optional `cause`. Subclass it
 * per error condition and fix the code in the subclass constructor.
 *
 * @example
 * ```ts
 * class GitFetchError extends PlanSpecError {
 *   constructor(message: string, options: { cause?: unknown; data?: Record<string, unknown> } = {}) {
 *     super(message, { ...options, code: 'PLANSPEC_ERR_GIT_FETCH' })
 *   }
 * }
 * throw new GitFetchError('fetch origin failed', { cause, data: { remote: 'origin' } })
 * ```
 */
export class PlanSpecError extends Error {
  /** Stable machine-readable code, `PLANSPEC_ERR_<AREA>_<WHAT>`. */
  readonly code: string
  /** JSON-serialisable details. */
  readonly data: Record<string, unknown>
  /** True when a retry cannot help; see {@link isTerminal}, which also looks at causes. */
  readonly terminal: boolean

  /** Creates the error; `cause` is only set (as an own property) when the options carry one. */
  constructor(message: string, options: PlanSpecErrorOptions) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.name = new.target.name
    this.code = options.code
    this.data = options.data ?? {}
    this.terminal = options.terminal === true
  }

  /**
   * Returns a JSON-serialisable view: name, code, message, data, terminal, and the cause chain
   * (errors as nested objects, primitives as they are, other values as a type tag). Stack traces
   * are left out on purpose: they leak paths and are not part of the contract.
   *
   * @example
   * ```ts
   * JSON.stringify(new PlanSpecError('boom', { code: 'PLANSPEC_ERR_CORE_BOOM' }))
   * // {"name":"PlanSpecError","code":"PLANSPEC_ERR_CORE_BOOM","message":"boom","data":{},"terminal":false}
   * ```
   */
  toJSON(): PlanSpecErrorJSON {
    const json = { name: this.name, code: this.code, message: this.message, data: this.data, terminal: this.terminal }
    return 'cause' in this ? { ...json, cause: serializeCause(this.cause, 1) } : json
  }
}

/**
 * Marks a thrown value as terminal, so the retry loop stops (it becomes `Stalled` with reason
 * `code`). A terminal `PlanSpecError` is returned as it is; any other value is wrapped in a new
 * terminal `PlanSpecError` that keeps the original's code, message and data (a non-`PlanSpecError`
 * gets {@link TERMINAL_ERROR_CODE}) and has the original as `cause`. The argument is never mutated.
 *
 * @example
 * ```ts
 * throw terminal(new PlanSpecError('plan is invalid', { code: 'PLANSPEC_ERR_PLAN_INVALID' }))
 * ```
 */
export function terminal(err: unknown): PlanSpecError {
  if (err instanceof PlanSpecError) {
    if (err.terminal) return err
    return new PlanSpecError(err.message, { code: err.code, data: err.data, cause: err, terminal: true })
  }
  const message = err instanceof Error ? err.message : describeValue(err)
  return new PlanSpecError(message, { code: TERMINAL_ERROR_CODE, cause: err, terminal: true })
}

/**
 * Tells whether retrying cannot help: true when `err`, or any error in its `cause` chain, is a
 * terminal `PlanSpecError` (like Go's `errors.Is(err, reconcile.TerminalError(nil))`, adding
 * context on the way up keeps an error terminal). Safe on cyclic cause chains and non-errors.
 *
 * @example
 * ```ts
 * isTerminal(new PlanSpecError('sync failed', { code: 'PLANSPEC_ERR_AGENT_SYNC', cause: terminal(e) })) // true
 * ```
 */
export function isTerminal(err: unknown): boolean {
  const seen = new Set<unknown>()
  let current: unknown = err
  while (current instanceof Error && !seen.has(current)) {
    if (current instanceof PlanSpecError && current.terminal) return true
    seen.add(current)
    current = current.cause
  }
  return false
}

/**
 * Serialises a cause: errors as objects with their own causes (down to {@link MAX_CAUSE_DEPTH},
 * so a cyclic chain stays finite), primitives as they are, other values described by type.
 */
function serializeCause(value: unknown, depth: number): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> =
      value instanceof PlanSpecError
        ? { name: value.name, code: value.code, message: value.message, data: value.data, terminal: value.terminal }
        : { name: value.name, message: value.message }
    if ('cause' in value && depth < MAX_CAUSE_DEPTH) out['cause'] = serializeCause(value.cause, depth + 1)
    return out
  }
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value
  }
  return describeValue(value)
}

/** Describes a non-error value without invoking user code (no `toString`/`toPrimitive` calls). */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'object' || typeof value === 'function') return Object.prototype.toString.call(value)
  return String(value)
}
