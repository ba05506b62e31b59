const KEY = 'planspec.token'

/**
 * Where the bearer token lives: the tab's session storage (gone when the tab closes, never sent
 * by the browser on its own like a cookie). A token handed over in the URL fragment
 * (`#token=...`, which browsers never send to a server) is moved there and the fragment cleared,
 * so `npm start` can print a link that signs in to the agent's read-only view.
 */
export function readToken(storage: Storage, location: Location, history: History): string | undefined {
  const match = /^#token=([^&]+)$/.exec(location.hash)
  if (match !== null) {
    storage.setItem(KEY, decodeURIComponent(match[1]!))
    history.replaceState(null, '', `${location.pathname}${location.search}#/`)
  }
  const token = storage.getItem(KEY)
  return token === null || token === '' ? undefined : token
}

/** Stores the token for this tab (a pasted `Bearer ...` or kubeconfig-style line is trimmed to the token). */
export function saveToken(storage: Storage, text: string): string {
  const token = text.trim().replace(/^(token:\s*|bearer\s+)/i, '').trim()
  storage.setItem(KEY, token)
  return token
}

/** Forgets the token (sign out). */
export function clearToken(storage: Storage): void {
  storage.removeItem(KEY)
}
