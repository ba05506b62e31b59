import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

/** Debian's Chromium; `.ci/run` installs it. */
export const CHROMIUM = '/usr/bin/chromium'

// A quiet, offline, throw-away browser: no network services, no first-run, no GPU.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** A running headless Chromium with a profile of its own. */
export interface ChromiumSession {
  readonly context: BrowserContext
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>
}

/**
 * Launches Debian's Chromium headless through playwright-core with a fresh `--user-data-dir`
 * (deleted on `close`), no sandbox, no GPU and no background network services: the browser the
 * tests of pages and rendered reports use.
 *
 * @example
 * const browser = await launchChromium({ viewport: { width: 1280, height: 720 } })
 * const page = await browser.context.newPage()
 */
export async function launchChromium(options: { readonly viewport?: { readonly width: number; readonly height: number }; readonly timezoneId?: string } = {}): Promise<ChromiumSession> {
  const profile = mkdtempSync(join(tmpdir(), 'planspec-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: options.viewport ?? { width: 1000, height: 800 },
      ...(options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId }),
    })
  } catch (error) {
    rmSync(profile, { recursive: true, force: true })
    throw error
  }
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
