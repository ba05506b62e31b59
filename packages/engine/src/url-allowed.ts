import { globToRegExp } from './internal/glob.js'

const PATTERN = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:]*)(?::([0-9]+|\*))?(\/.*)?$/i
const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' }

/**
 * Tells whether a parsed URL matches one of the allow-list patterns `scheme://host[:port][/path]`.
 * Parts are matched separately on the parsed URL, so `#`, `@` or `/` tricks cannot move text from
 * one part into another: the scheme exactly; the host case-insensitively with `*` for any run of
 * characters; the port exactly, `*` for any, and an omitted port means the default port; the
 * path plus query with `*` for anything, and an omitted path means any path. Malformed patterns
 * never match. Pure.
 *
 * @example
 * ```ts
 * isUrlAllowed(new URL('https://a.example.com/hook'), ['https://*.example.com/hook']) // true
 * isUrlAllowed(new URL('https://example.com:8443/'), ['https://example.com']) // false
 * ```
 */
export function isUrlAllowed(url: URL, allowUrls: readonly string[]): boolean {
  return allowUrls.some((pattern) => matches(url, pattern))
}

function matches(url: URL, pattern: string): boolean {
  const m = PATTERN.exec(pattern)
  if (!m) return false
  const [, scheme = '', host = '', port, path] = m
  if (`${scheme.toLowerCase()}:` !== url.protocol) return false
  if (!globToRegExp(host.toLowerCase(), '.').test(url.hostname.toLowerCase())) return false
  const actualPort = url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? '') : url.port
  if (port !== '*') {
    const wanted = port ?? DEFAULT_PORTS[url.protocol] ?? ''
    if (wanted !== actualPort) return false
  }
  if (path !== undefined && !globToRegExp(path, '.').test(url.pathname + url.search)) return false
  return true
}
