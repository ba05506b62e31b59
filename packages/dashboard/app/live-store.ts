import { ApiError, type ApiClient, type Resource, type WatchEvent } from './api-client.js'

/** The connection indicator's states: every followed kind streaming, some reconnecting, or the first load. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'polling'

/** No request for one kind starts sooner than this after the previous one (the issue: nothing polls faster than once per 10 s). */
export const MIN_REQUEST_INTERVAL_MS = 10_000
/** Kinds that change while people watch are streamed; the others are listed again this often. */
export const LIST_REFRESH_MS = 30_000
/**
 * The kinds followed with a watch stream. A browser opens at most six HTTP/1.1 connections to one
 * server and a watch holds one for minutes, so a page streams only what moves (runs and gate
 * decisions) and lists the rest; a hidden tab follows nothing (see `follow([])`).
 */
export const WATCHED_KINDS: ReadonlySet<string> = new Set(['executions', 'gates'])

/** The resources the app shows, kept up to date from the API's watch streams. */
export interface LiveStore {
  /** Follows exactly these kinds (plurals) from now on: starts list+watch for new ones, stops the others. */
  follow(plurals: readonly string[]): void
  items(plural: string): readonly Resource[]
  get(plural: string, namespace: string, name: string): Resource | undefined
  /** Whether the first list of a kind arrived. */
  loaded(plural: string): boolean
  connection(): { readonly state: ConnectionState; readonly detail: string }
  /** Calls `listener` after every change (coalesce rendering yourself); returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  close(): void
}

interface Followed {
  readonly objects: Map<string, Resource>
  readonly stop: AbortController
  state: ConnectionState
  loaded: boolean
  detail: string
}

/** What {@link createLiveStore} needs. */
export interface LiveStoreDeps {
  readonly api: ApiClient
  /** Called once when the server answers 401 (the token is not valid any more). */
  readonly onUnauthorized: () => void
  readonly now?: () => number
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

const keyOf = (object: Resource): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`

/**
 * Creates the app's store. Each followed kind runs a Kubernetes-style informer loop: list, then
 * watch from the list's resourceVersion; a stream that ends is resumed from the last version seen
 * (events and BOOKMARKs carry it); `410 Gone` (an HTTP answer or an ERROR event) means the version
 * is too old, so the kind is listed again. Only {@link WATCHED_KINDS} are streamed; other kinds
 * are listed every {@link LIST_REFRESH_MS}, and a server without watch (405) every 10 s.
 * Requests for one kind are spaced by at least {@link MIN_REQUEST_INTERVAL_MS}, so a failing or
 * flapping server is never hammered.
 *
 * @example
 * const store = createLiveStore({ api, onUnauthorized: () => showLogin() })
 * store.follow(['executions', 'gates', 'plans'])
 */
export function createLiveStore(deps: LiveStoreDeps): LiveStore {
  const now = deps.now ?? Date.now
  const sleep = deps.sleep ?? wait
  const kinds = new Map<string, Followed>()
  const listeners = new Set<() => void>()
  const changed = (): void => {
    for (const listener of [...listeners]) listener()
  }
  let unauthorized = false

  const run = async (plural: string, followed: Followed): Promise<void> => {
    const signal = followed.stop.signal
    let resourceVersion: string | undefined
    let lastStart = Number.NEGATIVE_INFINITY
    let polling = !WATCHED_KINDS.has(plural)
    let watchUnsupported = false
    while (!signal.aborted) {
      const delay = lastStart + (polling ? (watchUnsupported ? MIN_REQUEST_INTERVAL_MS : LIST_REFRESH_MS) : MIN_REQUEST_INTERVAL_MS) - now()
      if (delay > 0) await sleep(delay, signal)
      if (signal.aborted) return
      lastStart = now()
      try {
        if (resourceVersion === undefined || polling) {
          const list = await deps.api.list(plural)
          followed.objects.clear()
          for (const item of list.items) followed.objects.set(keyOf(item), item)
          resourceVersion = list.resourceVersion
          followed.loaded = true
        }
        if (polling) {
          if (watchUnsupported) set(followed, 'polling', 'refreshed every 10 s (this server has no watch)')
          else set(followed, 'live', '')
          changed()
          continue
        }
        set(followed, 'live', '')
        await deps.api.watch(
          plural,
          resourceVersion,
          (event) => {
            const next = apply(followed, event)
            if (next !== undefined) resourceVersion = next
            if (event.type !== 'BOOKMARK') changed()
          },
          signal,
        )
      } catch (error) {
        if (signal.aborted) return
        if (error instanceof ApiError && error.status === 401) {
          if (!unauthorized) {
            unauthorized = true
            deps.onUnauthorized()
          }
          return
        }
        if (error instanceof ApiError && error.status === 410) resourceVersion = undefined
        else if (error instanceof ApiError && (error.status === 405 || error.status === 404) && followed.loaded && !polling) polling = watchUnsupported = true
        set(followed, watchUnsupported ? 'polling' : 'reconnecting', error instanceof Error ? error.message : String(error))
      }
    }
  }
  const set = (followed: Followed, state: ConnectionState, detail: string): void => {
    followed.state = state
    followed.detail = detail
    changed()
  }

  return {
    follow(plurals) {
      let changes = 0
      for (const [plural, followed] of kinds) {
        if (plurals.includes(plural)) continue
        followed.stop.abort()
        kinds.delete(plural)
        changes++
      }
      for (const plural of plurals) {
        if (kinds.has(plural)) continue
        const followed: Followed = { objects: new Map(), stop: new AbortController(), state: 'connecting', loaded: false, detail: '' }
        kinds.set(plural, followed)
        void run(plural, followed)
        changes++
      }
      if (changes > 0) changed()
    },
    items: (plural) => [...(kinds.get(plural)?.objects.values() ?? [])],
    get: (plural, namespace, name) => kinds.get(plural)?.objects.get(`${namespace}/${name}`),
    loaded: (plural) => kinds.get(plural)?.loaded ?? false,
    connection() {
      const all = [...kinds.values()]
      const problem = all.find((k) => k.state === 'reconnecting')
      if (problem !== undefined) return { state: 'reconnecting', detail: problem.detail }
      if (all.some((k) => k.state === 'connecting')) return { state: 'connecting', detail: '' }
      if (all.some((k) => k.state === 'polling')) return { state: 'polling', detail: all.find((k) => k.state === 'polling')!.detail }
      return { state: 'live', detail: '' }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      for (const followed of kinds.values()) followed.stop.abort()
      kinds.clear()
      listeners.clear()
    },
  }
}

/** Applies one watch event; returns the resourceVersion to resume from. Throws a 410 ApiError for an expired watch. */
function apply(followed: Followed, event: WatchEvent): string | undefined {
  if (event.type === 'ERROR') {
    const code = event.object.code ?? 500
    throw new ApiError(code, event.object.message ?? 'the watch failed')
  }
  const resourceVersion = event.object.metadata?.resourceVersion
  if (event.type === 'ADDED' || event.type === 'MODIFIED') followed.objects.set(keyOf(event.object), event.object)
  else if (event.type === 'DELETED') followed.objects.delete(keyOf(event.object))
  return resourceVersion
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
