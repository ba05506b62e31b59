export { memoryStore } from './memory-store.js'
export type { MemoryStoreDeps } from './memory-store.js'
