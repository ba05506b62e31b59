import type { ApiClient, Viewer } from './api-client.js'
import type { LiveStore } from './live-store.js'

/** What every page reads: the API, the live store, who is signed in, and page-local UI state. */
export interface AppContext {
  readonly api: ApiClient
  readonly store: LiveStore
  readonly viewer: Viewer
  /** Whether the viewer may approve this Gate per RBAC (a cached SelfSubjectAccessReview); undefined until the server answered. */
  canApprove(namespace: string, name: string): boolean | undefined
  /** Text typed into comment boxes, kept across re-renders. */
  readonly drafts: Map<string, string>
  /** A message for the user (e.g. the API's answer to an approval), shown once. */
  notice: { readonly kind: 'ok' | 'error'; readonly text: string } | undefined
  navigate(hash: string): void
  /** Schedules a re-render (coalesced to one per frame). */
  refresh(): void
}

/** A page: the kinds it follows live and how it draws itself. */
export interface Page {
  readonly title: string
  readonly follows: readonly string[]
  render(): Node
}
