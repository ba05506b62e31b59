import { ACTION_NOUNS, ClientRefusedError, describeNotFound, refusalMessage, type ClientAction, type ClientRequestTarget, type ClientVerdict, type ResourceClient } from '@planspec/client'
import { parseDuration, sanitizeTerminalText } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { reportApiError } from './server/report-api-error.js'

/** The actions people take from the command line: decide a Gate, cancel or retry a run, claim or complete work. */
export type RequestVerb = Extract<ClientAction, 'approve' | 'reject' | 'cancel' | 'retry' | 'claim' | 'complete'>

/** Options of {@link runRequest}, in either mode. */
export interface RequestOptions {
  readonly comment?: string
  readonly dryRun?: boolean
  /** `--wait [DURATION]`: wait this long for the verdict; exit 0 only when the action counted. */
  readonly wait?: string
  /** `text` (default) or `json`: one object with the outcome and the verdict. */
  readonly output?: 'text' | 'json'
}

/** What `-o json` prints: the same fields in both modes (no request ids or resourceVersions, which are the mode's own). */
export interface RequestReport {
  readonly action: RequestVerb
  readonly subject: string
  readonly namespace?: string
  readonly outcome: 'recorded' | 'dry-run' | 'refused'
  readonly reason?: string
  readonly message?: string
  readonly execution?: string
  readonly notes?: readonly string[]
  readonly verdict?: ClientVerdict
}

/**
 * Records one action of the client's identity through the client port, written once for both
 * modes: `approve|reject GATE`, `cancel|retry EXECUTION`, `work claim|complete EXECUTION NODE`. In
 * git mode the port records a request file on the status branch in a commit signed with the
 * person's key, after the checks the agent will make (DECISIONS §9); in server mode it calls the
 * API's action route as the token's identity. Prints `kind/name: <noun>[ for RUN] recorded`, then
 * the verdict as soon as there is one (a server decides a review or a claim at once), else says
 * who decides; with `--wait`, waits for the verdict (the agent's, or the server's runner for a
 * cancel, retry or completion). Exit 0 when recorded (with `--wait`: when it counted), 1 when
 * refused or not counted in time, 2 on usage errors or an unreachable server.
 *
 * @example
 * await runRequest(client, 'approve', { kind: 'Gate', name: 'release-approval' }, { comment: 'lgtm', wait: '2m' }, io)
 */
export async function runRequest(client: ResourceClient, action: RequestVerb, target: ClientRequestTarget, options: RequestOptions, io: CommandIO): Promise<number> {
  const waitMs = options.wait === undefined ? undefined : durationOf(options.wait)
  const subject = `${target.kind.toLowerCase()}/${target.name}`
  const json = options.output === 'json'
  const print = (report: RequestReport, lines: readonly string[], code: number, errorLine?: string): number => {
    if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    else io.stdout.write(lines.map((line) => `${sanitizeTerminalText(line)}\n`).join(''))
    if (errorLine !== undefined) io.stderr.write(`error: ${sanitizeTerminalText(errorLine)}\n`)
    return code
  }
  let outcome
  try {
    outcome = await client.request(action, target, { ...(options.comment === undefined ? {} : { comment: options.comment }), ...(options.dryRun ? { dryRun: true } : {}) })
  } catch (error) {
    // The client cannot act as anybody (no signing key, a key nobody listed): refused, nothing recorded.
    if (!(error instanceof ClientRefusedError)) return reportApiError(error, io)
    outcome = { status: 'refused', subject, reason: error.reason, message: refusalMessage(subject, action, error.reason, error.message) } as const
  }
  if (outcome.status === 'refused') {
    // A name that does not exist: the closest names of the kind, the same in both modes.
    const message = outcome.reason === 'NotFound' ? refusalMessage(outcome.subject, action, 'NotFound', await describeNotFound(client, target.kind, target.name, target.namespace)) : outcome.message
    return print({ action, subject: outcome.subject, outcome: 'refused', reason: outcome.reason, message }, [], EXIT.findings, message)
  }
  if (!json) for (const note of outcome.notes) io.stderr.write(`warning: ${sanitizeTerminalText(note)}\n`)
  const noun = ACTION_NOUNS[action]
  const base = { action, subject: outcome.subject, namespace: outcome.namespace, ...(outcome.notes.length > 0 ? { notes: outcome.notes } : {}) }
  if (outcome.status === 'dry-run') return print({ ...base, outcome: 'dry-run' }, [`${outcome.subject}: ${noun} would be recorded (dry run)`], EXIT.ok)
  const recorded = { ...base, outcome: 'recorded' as const, ...(outcome.execution === undefined ? {} : { execution: outcome.execution }) }
  const line = `${outcome.subject}: ${noun}${outcome.execution ? ` for ${outcome.execution}` : ''} recorded${client.mode === 'git' ? ` (request ${outcome.id})` : ''}`
  const decider = client.mode === 'git' ? 'the agent' : 'the server'
  try {
    // A verdict known when the action was recorded (a server's review or claim, a git claim) is printed at once.
    const immediate = outcome.counted === true ? await client.verdict(action, outcome) : undefined
    if (immediate === undefined && waitMs === undefined) return print(recorded, [`${line}; ${decider} decides`], EXIT.ok)
    if (!json) io.stdout.write(`${sanitizeTerminalText(immediate === undefined ? `${line}; ${decider} decides` : line)}\n`)
    const verdict = immediate ?? (await client.verdict(action, outcome, { waitMs: waitMs ?? 0, ...(io.signal ? { signal: io.signal } : {}) }))
    if (verdict === undefined) return print(recorded, [], EXIT.findings, `no verdict from ${decider} within ${options.wait} (${client.mode === 'git' ? 'is an agent running on this repository?' : 'does the server run Executions?'})`)
    const code = verdict.counted ? EXIT.ok : EXIT.findings
    if (json) return print({ ...recorded, verdict }, [], code)
    return verdict.counted ? print(recorded, [verdict.message], code) : print(recorded, [], code, verdict.message)
  } catch (error) {
    return reportApiError(error, io)
  }
}

function durationOf(text: string): number {
  const parsed = parseDuration(text)
  if (!parsed.ok || parsed.ms <= 0) throw new UsageError(`--wait must be a duration such as 2m, got ${JSON.stringify(text)}`)
  return parsed.ms
}

/** Parses `key=value` pairs of `work complete`; values that are JSON keep their type. */
export function parseOutputs(pairs: readonly string[]): Record<string, unknown> {
  const outputs: Record<string, unknown> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`outputs are key=value pairs, got ${JSON.stringify(pair)}`)
    const raw = pair.slice(at + 1)
    let value: unknown = raw
    try {
      value = JSON.parse(raw)
    } catch {
      value = raw
    }
    outputs[pair.slice(0, at)] = value
  }
  return outputs
}
