import { ApiError, createApiClient, type ApiClient, type Viewer } from './api-client.js'
import type { AppContext, Page } from './app-context.js'
import { h, replaceChildren } from './dom.js'
import { createLiveStore, type LiveStore } from './live-store.js'
import { executionPage } from './pages/execution-page.js'
import { gatePage } from './pages/gate-page.js'
import { goalPage } from './pages/goal-page.js'
import { loginPage } from './pages/login-page.js'
import { overviewPage } from './pages/overview-page.js'
import { planPage } from './pages/plan-page.js'
import { parseRoute } from './router.js'
import { clearToken, readToken, saveToken } from './session.js'
import { userText } from './widgets.js'
import './styles.css'

const APPROVE_CACHE_MS = 60_000
const root = document.getElementById('app') as HTMLElement

interface Session {
  readonly api: ApiClient
  readonly viewer: Viewer
  readonly store: LiveStore
}

let session: Session | undefined
let frame: number | undefined
const approvals = new Map<string, { allowed: boolean | undefined; at: number }>()
const drafts = new Map<string, string>()
let notice: AppContext['notice']
let lastRoute = ''

/** Signs in with a token: checks it with a SelfSubjectReview, then starts the live store. */
async function signIn(token: string): Promise<string | undefined> {
  const api = createApiClient({ token })
  let viewer: Viewer
  try {
    viewer = await api.whoAmI()
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return 'That token is not valid here.'
    return `The server could not be reached: ${error instanceof Error ? error.message : String(error)}`
  }
  session?.store.close()
  const store = createLiveStore({ api, onUnauthorized: () => signOut('Your session has expired or the token was revoked: sign in again.') })
  store.subscribe(schedule)
  session = { api, viewer, store }
  approvals.clear()
  if (location.hash === '#/login' || location.hash === '') location.hash = '#/'
  schedule()
  return undefined
}

function signOut(message?: string): void {
  clearToken(sessionStorage)
  session?.store.close()
  session = undefined
  showLogin(message)
}

function showLogin(message?: string): void {
  document.title = 'Sign in · PlanSpec'
  replaceChildren(
    root,
    loginPage(async (text) => {
      const token = saveToken(sessionStorage, text)
      const problem = await signIn(token)
      if (problem !== undefined) clearToken(sessionStorage)
      return problem
    }, message),
  )
  document.getElementById('token')?.focus()
}

function schedule(): void {
  if (frame !== undefined) return
  frame = requestAnimationFrame(() => {
    frame = undefined
    render()
  })
}

function context(current: Session): AppContext {
  return {
    api: current.api,
    store: current.store,
    viewer: current.viewer,
    drafts,
    get notice() {
      return notice
    },
    set notice(value) {
      notice = value
    },
    canApprove(namespace, name) {
      const key = `${namespace}/${name}`
      const cached = approvals.get(key)
      if (cached !== undefined && Date.now() - cached.at < APPROVE_CACHE_MS) return cached.allowed
      approvals.set(key, { allowed: cached?.allowed, at: Date.now() })
      current.api
        .canI('approve', 'gates', namespace, name)
        .then((allowed) => approvals.set(key, { allowed, at: Date.now() }))
        .catch(() => approvals.set(key, { allowed: false, at: Date.now() }))
        .finally(schedule)
      return cached?.allowed
    },
    navigate(hash) {
      location.hash = hash
    },
    refresh: schedule,
  }
}

function pageFor(current: Session): Page | undefined {
  const route = parseRoute(location.hash)
  const ctx = context(current)
  switch (route.page) {
    case 'overview':
    case 'login':
      return overviewPage(ctx)
    case 'execution':
      return executionPage(ctx, route.namespace, route.name, route.node)
    case 'gate':
      return gatePage(ctx, route.namespace, route.name)
    case 'plan':
      return planPage(ctx, route.namespace, route.name)
    case 'goal':
      return goalPage(ctx, route.namespace, route.name)
    case 'missing':
      return undefined
  }
}

function render(): void {
  const current = session
  if (current === undefined) return
  if (location.hash !== lastRoute) {
    if (lastRoute !== '') notice = undefined
    lastRoute = location.hash
  }
  const page = pageFor(current)
  // A hidden tab holds no connection open; coming back lists everything again.
  if (!document.hidden) current.store.follow(page?.follows ?? [])
  // Keep the keyboard focus across re-renders (elements are rebuilt from the live data).
  const active = document.activeElement as HTMLElement | null
  const focusKey = active?.dataset.node ?? active?.dataset.key
  const focusAttribute = active?.dataset.node !== undefined ? 'data-node' : 'data-key'
  const connection = current.store.connection()
  const header = h(
    'header',
    { class: 'top' },
    h('a', { href: '#/', class: 'brand' }, 'PlanSpec'),
    h('nav', { 'aria-label': 'Main' }, h('a', { href: '#/' }, 'Overview')),
    h(
      'span',
      { class: `connection ${connection.state}`, role: 'status', 'aria-live': 'polite', 'data-testid': 'connection', 'data-state': connection.state, title: connection.detail },
      { connecting: 'Connecting…', live: '● Live', reconnecting: '○ Reconnecting…', polling: '◐ Refreshing every 10 s' }[connection.state],
    ),
    h('span', { class: 'viewer', 'data-testid': 'viewer' }, userText(current.viewer.username, 40)),
    h('button', { type: 'button', class: 'signout', onclick: () => signOut() }, 'Sign out'),
  )
  const main = h('main', { id: 'main', tabindex: -1 }, page === undefined ? h('div', { class: 'page' }, h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. '), h('a', { href: '#/' }, 'Go to the overview')) : page.render())
  document.title = `${page?.title ?? 'Not found'} · PlanSpec`
  replaceChildren(root, h('a', { href: '#main', class: 'skip' }, 'Skip to content'), header, main)
  if (focusKey !== undefined) root.querySelector<HTMLElement>(`[${focusAttribute}="${CSS.escape(focusKey)}"]`)?.focus()
  if (root.querySelector('[data-testid="graph"] svg') !== null && performance.getEntriesByName('planspec:graph').length === 0) {
    performance.mark('planspec:graph')
    requestAnimationFrame(() => performance.mark('planspec:graph-painted'))
  }
}

document.addEventListener('visibilitychange', () => {
  // Frames do not run in a hidden tab: stop following at once, and resume on the next frame back.
  if (document.hidden) session?.store.follow([])
  else schedule()
})
window.addEventListener('hashchange', () => {
  if (session === undefined) return
  schedule()
  document.getElementById('main')?.focus({ preventScroll: true })
})

const token = readToken(sessionStorage, location, history)
if (token === undefined) showLogin()
else
  void signIn(token).then((problem) => {
    if (problem === undefined) return
    clearToken(sessionStorage)
    showLogin(problem)
  })
