import { judgeRunRequests, reviewerOf, type GitAgentRepo } from '@planspec/agent'
import { canonicalJson, logRefsOf, matchesLabelSelector, parseLabelSelector, selectAttemptLogs, subjectOf, type AttemptLog } from '@planspec/core'
import { findSignerPrincipals, proposeBranch, readExecutionLogs, signPayload, type ProposeBranchResult, type ValidationWorkers } from '@planspec/git-store'
import { withCacheLock } from './cache-lock.js'
import type { ClientEnv } from './client-env.js'
import { ClientRefusedError } from './errors.js'
import { gitResources } from './git-resources.js'
import { resolveKind } from './kinds.js'
import { authorOf, openRepo, type RepoFlags } from './open-repo.js'
import { recordGitRequest, refusalMessage } from './record-git-request.js'
import type { ApplyPreview, ClientIdentity, ResourceChange, ResourceClient, ResourceView } from './resource-types.js'
import { findSigningKey } from './signing-key.js'
import { waitForVerdict } from './wait-for-verdict.js'

/** Options of {@link createGitResourceClient}. */
export interface GitResourceClientOptions extends RepoFlags {
  /** The working directory and environment: git config (the signing key), credentials. */
  readonly env: ClientEnv
  /**
   * Which principal of the signing key to act as, when the allowed-signers file lists the key
   * under several (`svc:docs-writer`). Default: the git user.email when it is one of them, else
   * the only one.
   */
  readonly as?: string
  /** How often `watch` re-reads the branches (default 2 s). */
  readonly pollMs?: number
  /** Validate a large read's manifests in worker threads running this script (default: in the calling thread). */
  readonly validationWorkers?: ValidationWorkers
}

/** The git-mode client, with the repository it reads (for tools that need more than the port). */
export interface GitResourceClient extends ResourceClient {
  readonly repo: GitAgentRepo
  /** The repository directory (a local path, or the cache of a remote). */
  readonly dir: string
  /** The remote URL, when the repository is remote. */
  readonly url?: string
  /** The author the client signs as (its identity's principal); resolves `whoami` first. */
  author(): Promise<{ readonly name: string; readonly email: string }>
  /** Signs a commit payload with the client's key (`git commit -S`). */
  sign(payload: string): Promise<string>
  /** The tracked branch (what proposals are reviewed against). */
  readonly branch: string
  /**
   * Pushes `files` as one commit, signed and authored as the client's identity, on the NEW branch
   * `branch` on top of the tracked branch (git-store's `proposeBranch`): a proposal, never applied.
   */
  propose(change: { readonly branch: string; readonly files: ReadonlyMap<string, string>; readonly message: string }): Promise<ProposeBranchResult>
}

/**
 * Creates the git-mode client: reads the tracked branch and the status branch (`planspec get`'s
 * view), and records actions as signed request files on the status branch, checked first as the
 * agent will check them (`recordGitRequest`). It acts as the identity of its signing key: the
 * principal that the tracked branch's `.planspec/allowed-signers` lists for the key found the way
 * git finds it (`user.signingKey`, `gpg.format=ssh`), e.g. `svc:docs-writer` for an AI agent.
 * Requests on the branch are authenticated by their signatures, so a claim is judged at once
 * exactly as the agent will (`judgeRunRequests`): the first claim that counts holds the node.
 * `watch` polls both branches every `pollMs`; it rejects when its first read fails (a repository
 * that cannot be read), and reads again at the next poll when a later one does.
 *
 * @example
 * const client = createGitResourceClient({ repo: 'https://git.example.com/plans.git', env: { cwd, env: process.env } })
 * await client.request('claim', { kind: 'Execution', name: 'docs-1', node: 'write' })
 */
export function createGitResourceClient(options: GitResourceClientOptions): GitResourceClient {
  const opened = openRepo(options, options.env, { verifyRequests: true, ...(options.validationWorkers ? { validationWorkers: options.validationWorkers } : {}) })
  const { repo, dir } = opened
  const signing = findSigningKey(options.env, opened.url === undefined ? dir : options.env.cwd)
  let resolved: Promise<{ identity: ClientIdentity; author: { name: string; email: string } }> | undefined
  const resolve = (): Promise<{ identity: ClientIdentity; author: { name: string; email: string } }> => {
    resolved ??= serial(resolveIdentity).catch((error: unknown) => {
      resolved = undefined
      throw error
    })
    return resolved
  }
  const resolveIdentity = async (): Promise<{ identity: ClientIdentity; author: { name: string; email: string } }> => {
    if ('problem' in signing) throw new ClientRefusedError('NoSigningKey', signing.problem)
    await repo.readDesired()
    const signers = await repo.signers()
    if (signers.text === undefined) throw new ClientRefusedError('NoAllowedSigners', `the tracked branch has no usable .planspec/allowed-signers${signers.problem ? ` (${signers.problem})` : ''}: no request can count`)
    const probe = await signPayload('planspec whoami\n', signing.key)
    const principals = await findSignerPrincipals({ signature: probe, allowedSigners: signers.text, ...(signing.key.program ? { program: signing.key.program } : {}) })
    if (principals.length === 0) throw new ClientRefusedError('UnknownSigner', `the signing key (${signing.describe}) is not in the tracked branch's .planspec/allowed-signers: add a line "PRINCIPAL <public key>" through a pull request`)
    const configured = authorOf(options.env, opened.url === undefined ? dir : options.env.cwd)?.email
    const wanted = options.as ?? (configured !== undefined && principals.includes(configured) ? configured : principals.length === 1 ? principals[0] : undefined)
    if (wanted === undefined || !principals.includes(wanted)) throw new ClientRefusedError('AmbiguousIdentity', `the signing key is listed for ${principals.join(', ')}: choose one${options.as ? ` (${options.as} is not among them)` : ''}`)
    return { identity: { subject: reviewerOf({ email: wanted }), source: `signing key ${signing.describe} (allowed signer ${wanted})` }, author: { name: wanted, email: wanted } }
  }
  /** Who holds each claimed node, judged from the branch as the agent judges it. */
  const holders = async (desired: Awaited<ReturnType<GitAgentRepo['readDesired']>>, status: Awaited<ReturnType<GitAgentRepo['readStatus']>>): Promise<ReadonlyMap<string, string>> => {
    if (!status.requests.some((r) => r.action === 'claim')) return new Map()
    return (await judgeRunRequests(status.requests, { desired, status, teams: teamsAsJudged(status.requests), writers: (await repo.signers()).writers, changeAuthor: (item) => repo.changeAuthor(item) })).holders
  }
  // One repository handle, one cache directory: its reads keep incremental state and fetches write
  // objects and refs, so every use of it (tool calls and a subscription's polls) takes its turn.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = queue.then(work, work)
    queue = turn.catch(() => undefined)
    return turn
  }
  const readNow = async (): Promise<{ desired: Awaited<ReturnType<GitAgentRepo['readDesired']>>; status: Awaited<ReturnType<GitAgentRepo['readStatus']>> }> => ({ desired: await repo.readDesired(), status: await repo.readStatus() })
  const read = (): ReturnType<typeof readNow> => serial(readNow)

  const client: GitResourceClient = {
    mode: 'git',
    target: opened.url === undefined ? dir : displayUrl(opened.url),
    repo,
    dir,
    ...(opened.url === undefined ? {} : { url: opened.url }),
    async whoami() {
      return (await resolve()).identity
    },
    async author() {
      return (await resolve()).author
    },
    async sign(payload) {
      if ('problem' in signing) throw new ClientRefusedError('NoSigningKey', signing.problem)
      return signPayload(payload, signing.key)
    },
    branch: options.branch ?? 'main',
    async propose(change) {
      const { author } = await resolve()
      const push = (): Promise<ProposeBranchResult> => proposeBranch({ ...opened.git, base: options.branch ?? 'main', statusBranch: options.statusBranch ?? 'planspec/status', branch: change.branch, files: change.files, message: change.message, author, sign: (payload) => client.sign(payload) })
      // A remote's cache is shared with other processes: the branch is fetched and pushed under its lock, as every other use of it.
      return serial(() => (opened.url === undefined ? push() : withCacheLock(dir, push)))
    },
    list: (kindText, listOptions = {}) => serial(async () => {
      // The server's label-selector syntax, applied to the manifests' labels (as the API does).
      const parsed = listOptions.labelSelector === undefined ? undefined : parseLabelSelector(listOptions.labelSelector)
      if (parsed !== undefined && !parsed.ok) throw new ClientRefusedError('BadSelector', `label selector: ${parsed.message}`)
      const { desired, status } = await readNow()
      const found = gitResources(desired, status, { kind: resolveKind(kindText), ...(listOptions.namespace === undefined ? {} : { namespace: listOptions.namespace }) })
      const selected = parsed === undefined ? found : found.filter((item) => matchesLabelSelector(parsed.selector, (item.object.metadata as { labels?: Record<string, string> } | undefined)?.labels))
      return withClaims(selected, await holders(desired, status))
    }),
    get: (kindText, name, namespace) => serial(async () => {
      const { desired, status } = await readNow()
      const found = withClaims(gitResources(desired, status, { kind: resolveKind(kindText), name, ...(namespace === undefined ? {} : { namespace }) }), await holders(desired, status))
      if (found.length > 1) throw new ClientRefusedError('Ambiguous', `${kindText} "${name}" exists in several namespaces (${found.map((r) => r.namespace).join(', ')}); name one`)
      return found[0]
    }),
    logs: (name, namespace) => serial(async () => {
      const { desired, status } = await readNow()
      const found = gitResources(desired, status, { kind: 'Execution', name, ...(namespace === undefined ? {} : { namespace }) })
      if (found.length > 1) throw new ClientRefusedError('Ambiguous', `execution "${name}" exists in several namespaces (${found.map((r) => r.namespace).join(', ')}); name one`)
      const execution = found[0]
      if (execution === undefined) return undefined
      const blobs = status.head === undefined ? [] : await readExecutionLogs({ ...opened.git, revision: status.head, namespace: execution.namespace, execution: name })
      return { execution, logs: logsWithRefs(execution, blobs) }
    }),
    async watch(kinds, onChange, signal, scope = {}) {
      const wanted = kinds.map(resolveKind)
      const known = new Map<string, { fingerprint: string; view: ResourceView }>()
      let first = true
      while (!signal.aborted) {
        try {
          const { desired, status } = await read()
          const seen = new Set<string>()
          for (const kind of wanted) {
            for (const view of gitResources(desired, status, { kind, ...scope })) {
              const key = `${view.kind}/${view.namespace}/${view.name}`
              seen.add(key)
              const fingerprint = canonicalJson({ object: view.object, status: view.status ?? null, refused: view.refusedRequests ?? [] })
              const before = known.get(key)
              if (before?.fingerprint === fingerprint) continue
              known.set(key, { fingerprint, view })
              onChange({ type: before === undefined ? 'ADDED' : 'MODIFIED', resource: view } satisfies ResourceChange)
            }
          }
          for (const [key, entry] of known) {
            if (seen.has(key)) continue
            known.delete(key)
            onChange({ type: 'DELETED', resource: entry.view })
          }
        } catch (error) {
          // A repository that cannot be read at all fails at once (as a wrong server URL does); a
          // remote away for a moment later is read again at the next poll.
          if (first && !signal.aborted) throw error
        }
        first = false
        await sleep(options.pollMs ?? 2000, signal)
      }
    },
    async request(action, target, requestOptions = {}) {
      let author: { name: string; email: string }
      try {
        ;({ author } = await resolve())
      } catch (error) {
        // In recordGitRequest's order: a name that does not exist is said before who may sign.
        if (!(error instanceof ClientRefusedError) || error.reason === 'NoSigningKey') throw error
        const named = `${target.kind.toLowerCase()}/${target.name}`
        const desired = await serial(() => repo.readDesired())
        const exists = [...desired.resources.values()].some((i) => i.kind === target.kind && i.name === target.name && (target.namespace === undefined || i.namespace === target.namespace))
        if (!exists) return { status: 'refused', subject: named, reason: 'NotFound', message: refusalMessage(named, action, 'NotFound', `${target.kind.toLowerCase()} "${target.name}" not found`) }
        throw error
      }
      return serial(async () => {
        const outcome = await recordGitRequest({ repo, author, signing }, action, target, requestOptions)
        if (outcome.status === 'refused') return { status: 'refused', subject: outcome.subject, reason: outcome.reason, message: outcome.message, ...(outcome.recorded ? { recorded: outcome.recorded } : {}) }
        if (outcome.status === 'dry-run') return { status: 'dry-run', subject: outcome.subject, namespace: outcome.item.namespace, notes: outcome.notes }
        const base = { subject: outcome.subject, kind: target.kind, name: outcome.item.name, namespace: outcome.item.namespace, ...(target.node === undefined ? {} : { node: target.node }), id: outcome.id, notes: outcome.notes, ...(outcome.execution ? { execution: outcome.execution } : {}) }
        if (action !== 'claim') return { status: 'recorded', ...base }
        // The branch orders every claim: judge them all as the agent will, and say at once who won.
        const { desired, status } = await readNow()
        const judged = await judgeRunRequests(status.requests, { desired, status, teams: new Map(), writers: (await repo.signers()).writers, changeAuthor: (item) => repo.changeAuthor(item) })
        const refused = judged.refused.get(outcome.item.subject)?.find((r) => r.id === outcome.id)
        // Eligibility through a `team:` entry needs the agent's team file (the local checks already
        // refused a claim no team could lift): the agent decides, as it does for a team's review.
        if (refused?.reason === 'NotEligible') return { status: 'recorded', ...base }
        if (refused !== undefined) {
          const holder = judged.holders.get(`${outcome.item.subject}#${target.node}`)
          return { status: 'refused', subject: outcome.subject, reason: refused.reason, message: `${outcome.subject}: claim refused: ${refused.reason}${holder ? `: node ${target.node} is claimed by ${holder}` : ''}`, recorded: { id: outcome.id } }
        }
        return { status: 'recorded', ...base, counted: true }
      })
    },
    verdict: (action, recorded, verdictOptions = {}) =>
      waitForVerdict({ readStatus: () => serial(() => repo.readStatus()) }, { id: recorded.id, action, item: { kind: recorded.kind, name: recorded.name, subject: subjectOf(recorded.kind, recorded.namespace, recorded.name) } }, { waitMs: verdictOptions.waitMs ?? 0, ...(verdictOptions.signal ? { signal: verdictOptions.signal } : {}), ...(verdictOptions.pollMs ? { pollMs: verdictOptions.pollMs } : {}) }),
    dryRunApply: (objects) => serial(async () => {
      const desired = await repo.readDesired()
      return objects.map((object): ApplyPreview => {
        const kind = String(object.kind)
        const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string }
        const namespace = metadata.namespace ?? 'default'
        const current = desired.resources.get(`${kind.toLowerCase()}/${namespace}/${metadata.name}`)
        const same = current !== undefined && canonicalJson(comparable(current.object)) === canonicalJson(comparable(object))
        return { kind, namespace, name: String(metadata.name), action: current === undefined ? 'created' : same ? 'unchanged' : 'configured' }
      })
    }),
  }
  return client
}

/**
 * Team membership as far as the agent has judged it (the team file is the agent's): a requester
 * counts as a member of any team until the agent refuses its request as `NotEligible` (it records
 * the refusal, and `judgeRunRequests` skips refused requests).
 */
function teamsAsJudged(requests: readonly { readonly actor?: string }[]): ReadonlyMap<string, readonly string[]> {
  const actors = [...new Set(requests.flatMap((r) => (r.actor === undefined ? [] : [r.actor])))]
  return new (class extends Map<string, readonly string[]> {
    override get(): readonly string[] {
      return actors
    }
  })()
}

/** Adds each Execution's claim holders (`kind/namespace/name#node` keys of `judgeRunRequests`). */
function withClaims(views: ResourceView[], holders: ReadonlyMap<string, string>): ResourceView[] {
  if (holders.size === 0) return views
  return views.map((view) => {
    const prefix = `${subjectOf(view.kind, view.namespace, view.name)}#`
    const claims = Object.fromEntries([...holders].filter(([key]) => key.startsWith(prefix)).map(([key, holder]) => [key.slice(prefix.length), holder]))
    return Object.keys(claims).length === 0 ? view : { ...view, claims }
  })
}

/** What a change to a manifest is: spec, labels and annotations (not git-mode bookkeeping). */
function comparable(object: Record<string, unknown>): unknown {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>
  return { spec: object.spec ?? null, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} }
}

function displayUrl(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    return parsed.toString()
  } catch {
    return '<repository>'
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

/** The log blobs of an Execution with what its status says of them (bytes printed, truncated), in display order. */
function logsWithRefs(execution: ResourceView, blobs: readonly { readonly node: string; readonly attempt: number; readonly stream: 'stdout' | 'stderr'; readonly text: string }[]): AttemptLog[] {
  const nodes = ((execution.status as { nodeStatuses?: Record<string, { extensions?: Record<string, unknown> } | undefined> } | undefined)?.nodeStatuses) ?? {}
  const logs = blobs.map((blob) => {
    const ref = logRefsOf(nodes[blob.node]?.extensions).find((r) => r.attempt === blob.attempt && r.stream === blob.stream)
    return { ...blob, bytes: ref?.bytes ?? new TextEncoder().encode(blob.text).length, truncated: ref?.truncated ?? false }
  })
  return selectAttemptLogs(logs, { allAttempts: true })
}
