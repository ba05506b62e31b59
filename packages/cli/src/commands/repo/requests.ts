import type { DesiredSnapshot, RequestAction } from '@planspec/agent'
import { ACTION_NOUNS, findSigningKey, openRepo, recordGitRequest, waitForVerdict, type RepoFlags } from '@planspec/client'
import { parseDuration, sanitizeTerminalText, type ExecutionStatus } from '@planspec/core'
import { notFoundMessage } from '@planspec/validator'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { validationWorkerUrl } from '../../validation-worker-url.js'

/** Options of the commands that record a request on the status branch. */
export interface RequestOptions extends RepoFlags {
  readonly namespace?: string
  readonly comment?: string
  readonly dryRun?: boolean
  /** `--wait [DURATION]`: wait for the agent's verdict this long. */
  readonly wait?: string
}

/** The target of a request, as the command line names it. */
export interface RequestTarget {
  readonly kind: 'Gate' | 'Execution'
  readonly name: string
  readonly node?: string
  readonly outputs?: Record<string, unknown>
  /** `--execution`: the Execution an approval or rejection decides for. */
  readonly execution?: string
}

/**
 * Records one action of a person as an append-only request file on the status branch, in a
 * commit signed with their git signing key (DECISIONS §6, §9): `approve|reject GATE`,
 * `cancel|retry EXECUTION`, `work claim|complete EXECUTION NODE`, through the client's
 * `recordGitRequest`. Before anything is pushed it checks, as the agent will: a signing key is
 * configured, the tracked branch's allowed-signers file lists it for the author's e-mail (git
 * config user.email; the signature is verified), and the author may ask (reviewers and separation
 * of duties for a Gate; eligibility, the claim holder and declared outputs for the others). A
 * refusal prints the reason and exits 1 with nothing recorded. Otherwise prints `kind/name:
 * <action> recorded (request ID); the agent decides`, and with `--wait` waits for the agent's
 * verdict: exit 0 only when the action counted.
 */
export async function runRequest(action: RequestAction, target: RequestTarget, options: RequestOptions, io: CommandIO): Promise<number> {
  const waitMs = options.wait === undefined ? undefined : durationOf(options.wait)
  const { repo, author, url, dir } = openRepo(options, io, { validationWorkers: { workerUrl: validationWorkerUrl() } })
  const signing = findSigningKey(io, url === undefined ? dir : io.cwd)
  const outcome = await recordGitRequest({ repo, author, signing }, action, { ...target, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) }, { ...(options.comment ? { comment: options.comment } : {}), ...(options.dryRun ? { dryRun: true } : {}) })
  if (outcome.status === 'refused') {
    // A name that does not exist: the same message, with the closest names, as against a server.
    const message = outcome.reason === 'NotFound' ? notFoundMessage(target.kind, target.name, options.namespace, namesOf(await repo.readDesired(), target.kind, options.namespace)) : outcome.message
    io.stderr.write(`error: ${sanitizeTerminalText(message)}\n`)
    return EXIT.findings
  }
  for (const note of outcome.notes) io.stderr.write(`warning: ${note}\n`)
  if (outcome.status === 'dry-run') {
    io.stdout.write(`${outcome.subject}: ${ACTION_NOUNS[action]} would be recorded (dry run)\n`)
    return EXIT.ok
  }
  io.stdout.write(`${outcome.subject}: ${ACTION_NOUNS[action]}${outcome.execution ? ` for ${outcome.execution}` : ''} recorded (request ${outcome.id}); the agent decides\n`)
  if (waitMs === undefined) return EXIT.ok
  const verdict = await waitForVerdict(repo, { id: outcome.id, action, item: outcome.item }, { waitMs, ...(io.signal ? { signal: io.signal } : {}) })
  if (verdict === undefined) {
    io.stderr.write(`error: no verdict from the agent within ${options.wait} (is an agent running on this repository?)\n`)
    return EXIT.findings
  }
  ;(verdict.counted ? io.stdout : io.stderr).write(`${verdict.counted ? '' : 'error: '}${verdict.message}\n`)
  return verdict.counted ? EXIT.ok : EXIT.findings
}

function durationOf(text: string): number {
  const parsed = parseDuration(text)
  if (!parsed.ok || parsed.ms <= 0) throw new UsageError(`--wait must be a duration such as 2m, got ${JSON.stringify(text)}`)
  return parsed.ms
}

/** Lists claimable work: nodes of Executions waiting for a worker (human://, agent://). */
export async function runWorkList(options: RepoFlags & { readonly namespace?: string; readonly output: 'table' | 'json' }, io: CommandIO): Promise<number> {
  const { repo } = openRepo(options, io, { validationWorkers: { workerUrl: validationWorkerUrl() } })
  const status = await repo.readStatus()
  // The first claim of a node holds it (the agent refuses later ones): show who made it.
  const claims = new Map<string, string>()
  for (const r of status.requests) if (r.action === 'claim' && !claims.has(`${r.target.namespace}/${r.target.name}/${r.target.node}`)) claims.set(`${r.target.namespace}/${r.target.name}/${r.target.node}`, r.author.email)
  const rows: { namespace: string; execution: string; node: string; since: string; claimedBy: string }[] = []
  for (const doc of status.docs.values()) {
    if (doc.kind !== 'Execution' || (options.namespace !== undefined && doc.namespace !== options.namespace)) continue
    for (const [node, s] of Object.entries((doc.status as ExecutionStatus).nodeStatuses ?? {})) {
      if (s?.phase !== 'Blocked' || s.reason !== 'AwaitingClaim') continue
      rows.push({ namespace: doc.namespace, execution: doc.name, node, since: s.startTime ?? '', claimedBy: claims.get(`${doc.namespace}/${doc.name}/${node}`) ?? '' })
    }
  }
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return EXIT.ok
  }
  if (rows.length === 0) {
    io.stdout.write('No work waiting.\n')
    return EXIT.ok
  }
  const table = [['NAMESPACE', 'EXECUTION', 'NODE', 'WAITING SINCE', 'CLAIMED BY'], ...rows.map((r) => [r.namespace, r.execution, r.node, r.since, r.claimedBy])]
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  io.stdout.write(table.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n')
  return EXIT.ok
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

/** The names of a kind on the tracked branch (in one namespace, or every one). */
function namesOf(desired: DesiredSnapshot, kind: string, namespace: string | undefined): string[] {
  return [...desired.items.values()].filter((i) => i.kind === kind && (namespace === undefined || i.namespace === namespace)).map((i) => i.name)
}
