// Real components for the browser scenarios: the bundled `planspec` binary as a child process,
// Debian's Chromium driven by playwright-core, and plain HTTP to seed the API.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { launchChromium, type ChromiumSession } from '@planspec/testing'
import type { Page } from 'playwright-core'

export const REPO = join(import.meta.dirname, '../../../..')
export const BIN = join(REPO, 'packages/cli/bin/planspec.js')
/** Screenshots of every page, light and dark (the key ones are copied to docs/ by hand). */
export const SCREENSHOTS = join(REPO, 'packages/dashboard/screenshots')
export const API = '/apis/planspec.io/v1alpha1'

/** A running `planspec` process that logs JSON lines. */
export interface Running {
  readonly url: string
  log(): string
  stop(): Promise<void>
}

/**
 * Starts the bundled `planspec` with `argv` and resolves once a JSON log line carries `field`
 * (`url` for serve, `dashboard` for the agent), with its value.
 */
export function startPlanspec(argv: readonly string[], field: string, env: Record<string, string> = {}): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PLANSPEC_LOG_LEVEL: 'info', ...env } })
  let log = ''
  const pattern = new RegExp(`"${field}":"(http://[^"]+?)/?"`)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`planspec ${argv[0]} did not start in time:\n${log}`)), 60_000)
    const onData = (chunk: Buffer): void => {
      log += chunk.toString()
      const found = pattern.exec(log)
      if (found === null) return
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      child.stdout!.on('data', (more: Buffer) => (log += more.toString()))
      resolve({
        url: found[1]!,
        log: () => log,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
      })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`planspec ${argv[0]} exited with ${code}:\n${log}`))
    })
  })
}

/** Calls the API with a bearer token; returns the status and the parsed body. */
export async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed }
}

/** Applies resources (a List) in one batch; throws unless the server accepted them all. */
export async function applyAll(base: string, token: string, namespace: string, items: readonly object[]): Promise<void> {
  const res = await api(base, token, 'POST', `${API}/namespaces/${namespace}/apply`, { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items })
  if (res.status >= 300) throw new Error(`apply failed: ${res.status} ${JSON.stringify(res.body)}`)
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Debian's Chromium at 1280×720 with a fresh profile (its own --user-data-dir), headless, with no background traffic. */
export async function launchBrowser(): Promise<ChromiumSession> {
  const browser = await launchChromium({ viewport: { width: 1280, height: 720 } })
  // Generous waits: the machine running the scenarios is shared and often loaded.
  browser.context.setDefaultTimeout(60_000)
  return browser
}

/** Signs in through the login form. */
export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/`)
  await page.getByLabel('API token').fill(token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByTestId('viewer').waitFor()
}

/** Writes `NAME-light.png` and `NAME-dark.png` of the page as it is now. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${scheme}.png`), fullPage: false })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}
