import type { ExecutionStatus } from '@planspec/core'
import type { RequestAction } from '@planspec/agent'
import { verifySshSignature } from '@planspec/git-store'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { localVerdict } from './local-checks.js'
import { openRepo, type RepoFlags } from './open-repo.js'
import { findSigningKey, signerOf } from './signing-key.js'
import { waitForVerdict } from './wait-for-verdict.js'

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

const VERBS: Readonly<Record<string, string>> = { approve: 'approval', reject: 'rejection', cancel: 'cancel', retry: 'retry', claim: 'claim', complete: 'completion' }

/** The request could not be signed so that it counts: nothing was pushed. */
class RefusedSignature extends Error {}

/**
 * Records one action of a person as an append-only request file on the status branch, in a
 * commit signed with their git signing key (DECISIONS §6, §9): `approve|reject GATE`,
 * `cancel|retry EXECUTION`, `work claim|complete EXECUTION NODE`. Before anything is pushed it
 * checks, as the agent will: a signing key is configured, the tracked branch's allowed-signers
 * file lists it for the author's e-mail (the signature is verified), and the author may ask
 * (reviewers and separation of duties for a Gate; eligibility for the others). A refusal prints
 * the reason and exits 1 with nothing recorded. Otherwise prints `kind/name: <action> recorded
 * (request ID); the agent decides`, and with `--wait` waits for the agent's verdict: exit 0 only
 * when the action counted.
 */
export async function runRequest(action: RequestAction, target: RequestTarget, options: RequestOptions, io: CommandIO): Promise<number> {
  const { repo, author, url, dir } = openRepo(options, io)
  const refuse = (why: string): number => {
    io.stderr.write(`error: ${why}\n`)
    return EXIT.findings
  }
  if (author === undefined) return refuse('no identity: set git config user.email to the address your key is listed for in .planspec/allowed-signers')
  const signing = findSigningKey(io, url === undefined ? dir : io.cwd)
  if ('problem' in signing) return refuse(signing.problem)
  const desired = await repo.readDesired()
  const matches = [...desired.items.values()].filter((i) => i.kind === target.kind && i.name === target.name && (options.namespace === undefined || i.namespace === options.namespace))
  if (matches.length === 0) return refuse(`${target.kind.toLowerCase()} "${target.name}" not found`)
  if (matches.length > 1) throw new UsageError(`${target.kind.toLowerCase()} "${target.name}" exists in several namespaces; choose one with --namespace`)
  const item = matches[0]!
  const subject = `${item.kind.toLowerCase()}/${item.name}`
  const signers = await repo.signers()
  if (signers.text === undefined) return refuse(`the tracked branch has no usable .planspec/allowed-signers${signers.problem ? ` (${signers.problem})` : ''}: no request can count`)
  const status = await repo.readStatus()
  const verdict = await localVerdict(action, item, target, { repo, desired, status, requester: `email:${author.email.toLowerCase()}`, writers: signers.writers })
  if (verdict.refusal !== undefined) return refuse(`${subject}: ${VERBS[action]} refused: ${verdict.refusal}`)
  for (const note of verdict.notes) io.stderr.write(`warning: ${note}\n`)
  const bind = verdict.bind
  if (options.dryRun) {
    io.stdout.write(`${subject}: ${VERBS[action]} would be recorded (dry run)\n`)
    return EXIT.ok
  }
  const sign = signerOf(signing.key)
  let id: string
  try {
    id = await repo.appendRequest(
      {
        action,
        target: { kind: item.kind, namespace: item.namespace, name: item.name, ...(target.node ? { node: target.node } : {}) },
        ...(options.comment ? { comment: options.comment } : {}),
        ...(target.outputs ? { outputs: target.outputs } : {}),
        ...(action === 'approve' || action === 'reject' ? { targetGeneration: item.generation } : {}),
        ...(bind ? { execution: bind.execution, digest: bind.digest } : {}),
      },
      author,
      async (payload) => {
        const signature = await sign(payload)
        // The same check the agent makes: refuse before pushing a request that cannot count.
        const verdict = await verifySshSignature({ payload: Buffer.from(payload, 'utf8'), signature, allowedSigners: signers.text!, identity: author.email, ...(signing.key.program ? { program: signing.key.program } : {}) })
        if (!verdict.verified) throw new RefusedSignature(`${verdict.reason}: ${verdict.message} (signed with ${signing.describe}, as ${author.email})`)
        return signature
      },
    )
  } catch (error) {
    if (error instanceof RefusedSignature) return refuse(`${subject}: ${VERBS[action]} refused: ${error.message}`)
    if ((error as { code?: string }).code === 'PLANSPEC_ERR_GIT_INVALID_INPUT' && /cannot sign/.test((error as Error).message)) return refuse((error as Error).message)
    throw error
  }
  io.stdout.write(`${subject}: ${VERBS[action]}${bind ? ` for ${bind.execution.name}` : ''} recorded (request ${id}); the agent decides\n`)
  if (options.wait === undefined) return EXIT.ok
  return waitForVerdict(repo, { id, action, item, waitFor: options.wait }, io)
}

/** Lists claimable work: nodes of Executions waiting for a worker (human://, agent://). */
export async function runWorkList(options: RepoFlags & { readonly namespace?: string; readonly output: 'table' | 'json' }, io: CommandIO): Promise<number> {
  const { repo } = openRepo(options, io)
  const status = await repo.readStatus()
  const claims = new Map(status.requests.filter((r) => r.action === 'claim').map((r) => [`${r.target.namespace}/${r.target.name}/${r.target.node}`, r.author.email]))
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
