/** A Gate or Execution named in a command: `name` or `namespace/name`. */
export interface CommandTarget {
  readonly name: string
  /** Absent when the command names no namespace: the repository default applies. */
  readonly namespace?: string
}

/** One command read from a pull request comment. `line` is 1-based in the comment body. */
export type CommentCommand =
  | { readonly verb: 'approve' | 'reject'; readonly line: number; readonly gate: CommandTarget; readonly comment?: string }
  | { readonly verb: 'retry' | 'cancel'; readonly line: number; readonly execution: CommandTarget }
  | {
      readonly verb: 'done'
      readonly line: number
      readonly node: string
      /** Present when the command names it: `EXECUTION/NODE` or `NAMESPACE/EXECUTION/NODE`. */
      readonly execution?: CommandTarget
      /** `key=value` pairs, values as strings (a prototype-less object). */
      readonly outputs: Readonly<Record<string, string>>
    }

/** A `/planspec` line that could not be read, and why (for the reply). */
export interface CommandParseError {
  readonly line: number
  /** The line as written (the caller escapes it before showing it). */
  readonly text: string
  readonly reason: string
}

/** What {@link parseCommentCommands} found, in comment order. */
export interface ParsedCommentCommands {
  readonly commands: readonly CommentCommand[]
  readonly errors: readonly CommandParseError[]
}

/** At most this many commands are read from one comment; more is an error. */
export const MAX_COMMANDS_PER_COMMENT = 10
const MAX_COMMENT = 1000
const MAX_VALUE = 1024
const MAX_OUTPUTS = 32
const LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const COMMAND = /^ {0,3}\/planspec(?:[ \t]+(.*))?$/i

/**
 * Reads PlanSpec commands from a pull request comment (DECISIONS §5 and §3):
 * `/planspec approve GATE [comment]`, `/planspec reject GATE [comment]`,
 * `/planspec retry EXECUTION`, `/planspec cancel EXECUTION` and
 * `/planspec done NODE key=value...` (NODE may be `EXECUTION/NODE`; values may be `"quoted"`).
 *
 * A command is a line of its own that starts with `/planspec` (up to three spaces before it).
 * Lines in fenced code blocks, indented code blocks, `>` quotes and HTML comments are ignored, so
 * quoting or showing a command never runs it. Names are DNS labels, optionally `namespace/name`.
 * A malformed `/planspec` line becomes an error with a reason; at most 10 commands are read.
 * Pure.
 *
 * @example
 * parseCommentCommands('LGTM\n/planspec approve prod-gate ship it')
 * // { commands: [{ verb: 'approve', line: 2, gate: { name: 'prod-gate' }, comment: 'ship it' }], errors: [] }
 */
export function parseCommentCommands(body: string): ParsedCommentCommands {
  const commands: CommentCommand[] = []
  const errors: CommandParseError[] = []
  let fence: string | undefined
  let inHtmlComment = false
  body.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1
    if (fence !== undefined) {
      if (new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(raw)) fence = undefined
      return
    }
    if (inHtmlComment) {
      if (raw.includes('-->')) inHtmlComment = false
      return
    }
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(raw)
    if (opening !== null) {
      fence = opening[1] as string
      return
    }
    if (/^ {0,3}<!--/.test(raw)) {
      inHtmlComment = !raw.includes('-->')
      return
    }
    const match = COMMAND.exec(raw)
    if (match === null) return
    if (commands.length + errors.length >= MAX_COMMANDS_PER_COMMENT) {
      errors.push({ line, text: raw.trim(), reason: `at most ${MAX_COMMANDS_PER_COMMENT} commands are read from one comment` })
      return
    }
    const parsed = parseLine(match[1] ?? '', line)
    if ('reason' in parsed) errors.push({ line, text: raw.trim(), reason: parsed.reason })
    else commands.push(parsed)
  })
  return { commands, errors }
}

function parseLine(rest: string, line: number): CommentCommand | { reason: string } {
  const trimmed = rest.trim()
  const space = trimmed.search(/\s/)
  const verb = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase()
  const args = space < 0 ? '' : trimmed.slice(space).trim()
  const [first = '', ...others] = args === '' ? [] : args.split(/\s+/)
  switch (verb) {
    case 'approve':
    case 'reject': {
      if (first === '') return { reason: `/planspec ${verb} needs a Gate name` }
      const gate = parseTarget(first, 2)
      if (gate === undefined) return { reason: `${first} is not a Gate name (a DNS label, or namespace/name)` }
      const comment = args.slice(first.length).trim()
      if (comment.length > MAX_COMMENT) return { reason: `the comment is longer than ${MAX_COMMENT} characters` }
      return { verb, line, gate: toTarget(gate), ...(comment === '' ? {} : { comment }) }
    }
    case 'retry':
    case 'cancel': {
      if (first === '') return { reason: `/planspec ${verb} needs an Execution name` }
      const execution = parseTarget(first, 2)
      if (execution === undefined) return { reason: `${first} is not an Execution name (a DNS label, or namespace/name)` }
      if (others.length > 0) return { reason: `/planspec ${verb} takes only an Execution name` }
      return { verb, line, execution: toTarget(execution) }
    }
    case 'done':
      return parseDone(first, args.slice(first.length), line)
    case '':
      return { reason: 'a command is missing: approve, reject, retry, cancel or done' }
    default:
      return { reason: `unknown command ${verb}: use approve, reject, retry, cancel or done` }
  }
}

function parseDone(target: string, rest: string, line: number): CommentCommand | { reason: string } {
  if (target === '') return { reason: '/planspec done needs a node id' }
  const parts = parseTarget(target, 3)
  if (parts === undefined) return { reason: `${target} is not a node id (a DNS label, or EXECUTION/NODE)` }
  const node = parts[parts.length - 1] as string
  const execution = parts.length === 1 ? undefined : toTarget(parts.slice(0, -1))
  const outputs: Record<string, string> = Object.create(null) as Record<string, string>
  const pair = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/y
  let count = 0
  let at = 0
  const text = rest.trimEnd()
  while (at < text.length) {
    pair.lastIndex = at
    const found = pair.exec(text)
    if (found === null) return { reason: `expected key=value at "${text.slice(at).trim().slice(0, 40)}"` }
    const key = found[1] as string
    const value = found[2] === undefined ? (found[3] as string) : found[2].replace(/\\(.)/g, '$1')
    if (!KEY.test(key) || FORBIDDEN_KEYS.has(key)) return { reason: `${key} is not an output name (letters, digits and _)` }
    if (value.length > MAX_VALUE) return { reason: `the value of ${key} is longer than ${MAX_VALUE} characters` }
    if ((count += 1) > MAX_OUTPUTS) return { reason: `at most ${MAX_OUTPUTS} outputs` }
    outputs[key] = value
    at = pair.lastIndex
  }
  return { verb: 'done', line, node, ...(execution === undefined ? {} : { execution }), outputs }
}

/** Splits `a/b/c` into DNS labels (at most `max`), or undefined when any part is not one. */
function parseTarget(text: string, max: number): string[] | undefined {
  const parts = text.split('/')
  return parts.length <= max && parts.every((part) => LABEL.test(part)) ? parts : undefined
}

function toTarget(parts: readonly string[]): CommandTarget {
  const name = parts[parts.length - 1] as string
  return parts.length === 1 ? { name } : { namespace: parts[0] as string, name }
}
