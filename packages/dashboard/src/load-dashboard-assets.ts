import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One file of the built dashboard, held in memory. */
export interface DashboardAsset {
  readonly body: Buffer
  readonly contentType: string
  /** A strong validator: the SHA-256 of the body. */
  readonly etag: string
  /** Whether the name carries a content hash (`assets/index-3f2a.js`): cacheable for a year. */
  readonly immutable: boolean
}

/** The built dashboard: its files by URL path (`/`, `/assets/index-3f2a.js`, ...). */
export interface DashboardAssets {
  /** Finds the file served at a URL path; undefined for anything else (no file-system lookup ever happens per request). */
  lookup(path: string): DashboardAsset | undefined
  /** The URL paths served. */
  readonly paths: readonly string[]
}

const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.json', 'application/json'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.woff2', 'font/woff2'],
])

/** The directory the package's `bundle` target writes the app to (`dist-app`, beside the compiled `dist`). */
export function defaultDashboardDirectory(): string {
  return fileURLToPath(new URL('../dist-app/', import.meta.url))
}

/**
 * Loads the built single-page app into memory once: every regular file under `directory` (default:
 * the package's `dist-app`) of a known type becomes a URL path (`index.html` is also `/`). Symbolic
 * links and other types are skipped, so a request can only ever get one of these files. Returns
 * an empty set when the directory does not exist (the app was not built); `paths` is then empty.
 *
 * @example
 * const assets = loadDashboardAssets()
 * assets.lookup('/')?.contentType // 'text/html; charset=utf-8'
 */
export function loadDashboardAssets(directory: string = defaultDashboardDirectory()): DashboardAssets {
  const files = new Map<string, DashboardAsset>()
  if (existsSync(directory)) {
    for (const file of walk(directory)) {
      const contentType = CONTENT_TYPES.get(extname(file).toLowerCase())
      if (contentType === undefined) continue
      const body = readFileSync(file)
      const path = `/${relative(directory, file).split(sep).join('/')}`
      const asset: DashboardAsset = { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url')}"`, immutable: path.startsWith('/assets/') }
      files.set(path, asset)
      if (path === '/index.html') files.set('/', asset)
    }
  }
  return { lookup: (path) => files.get(path), paths: [...files.keys()].sort() }
}

function walk(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) return walk(path)
    return entry.isFile() && statSync(path).isFile() ? [path] : []
  })
}
