export { memoryStore } from './memory-store.js'
export type { MemoryStoreDeps } from './memory-store.js'
export { StoreAlreadyExistsError, StoreConflictError, StoreGoneError, StoreNotFoundError, subject } from './store.js'
export type { ListResult, ObjectKey, Store, StoredResource, WatchEvent } from './store.js'
