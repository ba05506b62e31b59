import type { ObjectKey, StoredResource, WatchEvent } from '@planspec/core'
import type { StoredRow } from './api-store.js'

/** A watch event that also carries its object's JSON, so a stream serialises it once for every watcher. */
export interface ApiWatchEvent extends WatchEvent {
  /** `JSON.stringify(object)`, exactly as stored. */
  readonly objectText: string
  /** The object's key, readable without parsing the object (namespace `""` for cluster-scoped kinds). */
  readonly key: ObjectKey
}

/** Deep-freezes a value: stored snapshots handed out can never change behind the store's back. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

/** A list row whose object is parsed from its JSON on first access. */
export class LazyRow implements StoredRow {
  #object: StoredResource | undefined

  /** Wraps one stored row. */
  constructor(
    readonly namespace: string,
    readonly name: string,
    readonly text: string,
  ) {}

  /** The parsed object (a fresh copy per row). */
  get object(): StoredResource {
    this.#object ??= JSON.parse(this.text) as StoredResource
    return this.#object
  }
}

/** A watch event whose object is parsed from its JSON on first access (events read back from the log). */
export class LazyEvent implements ApiWatchEvent {
  #object: StoredResource | undefined

  /** Wraps one event row. */
  constructor(
    readonly type: WatchEvent['type'],
    readonly resourceVersion: string,
    readonly objectText: string,
    readonly key: ObjectKey,
  ) {}

  /** The parsed, frozen object. */
  get object(): StoredResource {
    this.#object ??= deepFreeze(JSON.parse(this.objectText) as StoredResource)
    return this.#object
  }
}
