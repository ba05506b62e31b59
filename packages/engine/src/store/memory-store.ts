import { canonicalJson, formatObjectKey, StoreAlreadyExistsError, StoreConflictError, StoreGoneError, StoreNotFoundError, type ListResult, type ObjectKey, type Store, type StoredResource, type WatchEvent } from '@planspec/core'

/** Effects the in-memory store needs: the time for creationTimestamp and a uid source. */
export interface MemoryStoreDeps {
  readonly now: () => string
  readonly newUid: () => string
  /** How many events watch history keeps before a resume needs a re-list (default 10,000). */
  readonly historyLimit?: number
}

type Watcher = { readonly kind: string; readonly namespace?: string; readonly onEvent: (event: WatchEvent) => void }

/**
 * Creates the in-memory Store: one global monotonic resourceVersion, compare-and-swap writes,
 * generation that grows only with spec changes, status kept apart from spec, and watches that
 * replay retained history in order before live events. It ships with the engine so that tests,
 * `planspec run` and examples share it (STYLE: a real and an in-memory port side by side).
 *
 * @example
 * const store = memoryStore({ now: () => new Date().toISOString(), newUid: () => randomUUID() })
 * const goal = await store.create({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name: 'g', namespace: 'default' }, spec: { description: 'd' } })
 */
export function memoryStore(deps: MemoryStoreDeps): Store {
  const objects = new Map<string, StoredResource>()
  const history: WatchEvent[] = []
  const watchers = new Set<Watcher>()
  const historyLimit = deps.historyLimit ?? 10_000
  let version = 0

  const keyOf = formatObjectKey
  const keyFrom = (object: StoredResource): ObjectKey => ({ kind: object.kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name })
  const emit = (type: WatchEvent['type'], object: StoredResource): void => {
    const event: WatchEvent = { type, object, resourceVersion: object.metadata.resourceVersion ?? String(version) }
    history.push(event)
    if (history.length > historyLimit) history.splice(0, history.length - historyLimit)
    for (const w of watchers) if (matches(w, object)) w.onEvent(event)
  }
  const read = (key: ObjectKey): StoredResource => {
    const found = objects.get(keyOf(key))
    if (!found) throw new StoreNotFoundError(key)
    return found
  }
  const checkVersion = (key: ObjectKey, stored: StoredResource, given: string | undefined): void => {
    // Writes must name the version they were computed from: no blind last-write-wins.
    if (given !== stored.metadata.resourceVersion) throw new StoreConflictError(key, given, String(stored.metadata.resourceVersion))
  }
  const write = (object: StoredResource, type: WatchEvent['type']): StoredResource => {
    version += 1
    const saved = freeze({ ...object, metadata: { ...object.metadata, resourceVersion: String(version) } })
    objects.set(keyOf(keyFrom(saved)), saved)
    emit(type, saved)
    return saved
  }

  return {
    async list(kind, options = {}): Promise<ListResult> {
      const items = [...objects.values()].filter((o) => o.kind === kind && (!options.namespace || o.metadata.namespace === options.namespace))
      items.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name))
      return { items, resourceVersion: String(version) }
    },
    async get(key) {
      return objects.get(keyOf(key))
    },
    async create(object) {
      const key = keyFrom(object)
      if (objects.has(keyOf(key))) throw new StoreAlreadyExistsError(key)
      const { uid: _uid, resourceVersion: _rv, generation: _gen, creationTimestamp: _ts, deletionTimestamp: _del, ...metadata } = object.metadata
      // Status is written by controllers only (DECISIONS §8): a status sent with create is dropped.
      const { status: _status, ...rest } = object
      return write({ ...rest, metadata: { ...metadata, namespace: key.namespace, uid: deps.newUid(), generation: 1, creationTimestamp: deps.now() } }, 'ADDED')
    },
    async update(object) {
      const key = keyFrom(object)
      const stored = read(key)
      checkVersion(key, stored, object.metadata.resourceVersion)
      // Key order is not a change: compare canonical JSON.
      const specChanged = canonicalJson(object.spec ?? null) !== canonicalJson(stored.spec ?? null)
      const generation = (stored.metadata.generation ?? 1) + (specChanged ? 1 : 0)
      return write({ ...object, status: stored.status, metadata: { ...object.metadata, uid: stored.metadata.uid, generation, creationTimestamp: stored.metadata.creationTimestamp } }, 'MODIFIED')
    },
    async updateStatus(object) {
      const key = keyFrom(object)
      const stored = read(key)
      checkVersion(key, stored, object.metadata.resourceVersion)
      return write({ ...stored, status: object.status }, 'MODIFIED')
    },
    async delete(key, options = {}) {
      const stored = read(key)
      if (options.resourceVersion !== undefined) checkVersion(key, stored, options.resourceVersion)
      objects.delete(keyOf(key))
      version += 1
      emit('DELETED', freeze({ ...stored, metadata: { ...stored.metadata, resourceVersion: String(version) } }))
    },
    watch(kind, options, onEvent) {
      const watcher: Watcher = { kind, namespace: options.namespace, onEvent }
      if (options.sinceResourceVersion !== undefined) {
        const since = Number(options.sinceResourceVersion)
        const oldest = history.length ? Number(history[0]!.resourceVersion) : version + 1
        if (since + 1 < oldest && since < version) throw new StoreGoneError(options.sinceResourceVersion, String(oldest))
        for (const event of history) if (Number(event.resourceVersion) > since && matches(watcher, event.object)) onEvent(event)
      }
      watchers.add(watcher)
      return { stop: () => void watchers.delete(watcher) }
    },
  }
}

function matches(watcher: Watcher, object: StoredResource): boolean {
  return object.kind === watcher.kind && (!watcher.namespace || object.metadata.namespace === watcher.namespace)
}

/** Stored objects are immutable: callers get snapshots they cannot change behind the store's back. */
function freeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) freeze(child)
  }
  return value
}
