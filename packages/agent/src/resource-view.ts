import type { DesiredState } from '@planspec/git-store'
import { kindInfo } from '@planspec/schemas'
import { systemClock } from './system-clock.js'
import type { StatusSnapshot } from './types.js'

/** What the agent holds in memory that the read-only view shows. */
export interface ResourceViewSource {
  /** The tracked branch as the last round read it (undefined before the first round). */
  readonly desired?: Pick<DesiredState, 'resources'>
  /** The status branch as the last round read it. */
  readonly status?: StatusSnapshot
  /** The latest status each run of this agent reported (fresher than the status branch), by subject `execution/ns/name`. */
  readonly runs?: ReadonlyMap<string, unknown>
}

/** One change of the view, as a watch sends it. */
export interface ViewEvent {
  readonly resourceVersion: number
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly plural: string
  readonly namespace: string
  /** The object as JSON text (its `metadata.resourceVersion` set). */
  readonly text: string
}

/** The agent's resources in the API's JSON shapes, versioned so that a watch can resume. */
export interface ResourceApiView {
  /** Re-reads the source and records what changed (at most once per `minRefreshMs`; `force` skips that). */
  refresh(force?: boolean): void
  list(plural: string, namespace?: string): { readonly texts: readonly string[]; readonly resourceVersion: string }
  get(plural: string, namespace: string, name: string): string | undefined
  /** Events after `resourceVersion`, or `gone` when they are no longer (or were never) held. */
  since(resourceVersion: number): readonly ViewEvent[] | 'gone'
  /** Calls `listener` with each new event; returns the unsubscribe function. */
  subscribe(listener: (event: ViewEvent) => void): () => void
  readonly currentResourceVersion: () => number
}

const API_VERSION = 'planspec.io/v1alpha1'
const PLURALS: ReadonlyMap<string, string> = new Map(Object.entries(kindInfo).filter(([, info]) => info.hasStatus).map(([kind, info]) => [kind, info.plural]))
/** The plurals the view serves (the kinds git mode reconciles). */
export const VIEW_PLURALS: ReadonlySet<string> = new Set(PLURALS.values())
const KINDS: ReadonlyMap<string, string> = new Map([...PLURALS].map(([kind, plural]) => [plural, kind]))

/** The kind served under a plural (`executions` → `Execution`). */
export function kindOfPlural(plural: string): string | undefined {
  return KINDS.get(plural)
}

interface Entry {
  readonly plural: string
  readonly namespace: string
  readonly name: string
  readonly base: string
  readonly text: string
}

/**
 * Creates the agent's read-only resource view: every resource of the tracked branch with the
 * status the agent last wrote (or, for its own runs, last saw), as API objects
 * (`apiVersion`, `kind`, `metadata`, `spec`, `status`). Versions are this process's own: a
 * counter that starts at the clock's milliseconds (so a restarted agent never reuses a version
 * a client holds) and grows by one per changed object. The last `historyLimit` events are kept for
 * watches to resume from; anything older (or from another process) is `gone`, and the client lists again.
 *
 * @example
 * const view = createResourceView(() => observed.latest())
 * view.list('executions').texts
 */
export function createResourceView(read: () => ResourceViewSource, options: { readonly now?: () => number; readonly minRefreshMs?: number; readonly historyLimit?: number } = {}): ResourceApiView {
  const now = options.now ?? systemClock
  const minRefreshMs = options.minRefreshMs ?? 250
  const historyLimit = options.historyLimit ?? 2000
  let counter = now()
  const floor = { value: counter }
  const entries = new Map<string, Entry>()
  const events: ViewEvent[] = []
  const listeners = new Set<(event: ViewEvent) => void>()
  let lastRefresh = Number.NEGATIVE_INFINITY
  let lastSource: ResourceViewSource | undefined

  const record = (event: ViewEvent): void => {
    events.push(event)
    if (events.length > historyLimit) floor.value = events.splice(0, events.length - historyLimit).at(-1)!.resourceVersion
    for (const listener of [...listeners]) listener(event)
  }

  const refresh = (force = false): void => {
    if (!force && now() - lastRefresh < minRefreshMs) return
    lastRefresh = now()
    const source = read()
    if (source === lastSource && source.runs === undefined) return
    lastSource = source
    const seen = new Set<string>()
    for (const item of source.desired?.resources.values() ?? []) {
      const plural = PLURALS.get(item.kind)
      if (plural === undefined) continue
      seen.add(item.subject)
      const status = source.runs?.get(item.subject) ?? source.status?.docs.get(item.subject)?.status
      const object = { ...item.object, apiVersion: API_VERSION, kind: item.kind, metadata: { ...item.object.metadata, name: item.name, namespace: item.namespace }, ...(status === undefined ? {} : { status }) }
      const base = JSON.stringify(object)
      const previous = entries.get(item.subject)
      if (previous?.base === base) continue
      const resourceVersion = ++counter
      const text = JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: String(resourceVersion) } })
      entries.set(item.subject, { plural, namespace: item.namespace, name: item.name, base, text })
      record({ resourceVersion, type: previous === undefined ? 'ADDED' : 'MODIFIED', plural, namespace: item.namespace, text })
    }
    for (const [subject, entry] of entries) {
      if (seen.has(subject)) continue
      entries.delete(subject)
      record({ resourceVersion: ++counter, type: 'DELETED', plural: entry.plural, namespace: entry.namespace, text: entry.text })
    }
  }

  const sorted = (plural: string, namespace: string | undefined): Entry[] =>
    [...entries.values()].filter((e) => e.plural === plural && (namespace === undefined || e.namespace === namespace)).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))

  return {
    refresh,
    list(plural, namespace) {
      refresh()
      return { texts: sorted(plural, namespace).map((e) => e.text), resourceVersion: String(counter) }
    },
    get(plural, namespace, name) {
      refresh()
      return sorted(plural, namespace).find((e) => e.name === name)?.text
    },
    since(resourceVersion) {
      if (resourceVersion < floor.value || resourceVersion > counter) return 'gone'
      return events.filter((e) => e.resourceVersion > resourceVersion)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    currentResourceVersion: () => counter,
  }
}
