// The dashboard against a real `planspec serve` process, in Debian's Chromium: sign in, follow a run
// live, approve a gate, the button absent (and a 403 when forced) for ineligible users, a failed
// node's log, a hostile manifest rendered inert, and the first paint of a 200-node Execution.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { API, api, applyAll, launchBrowser, screenshots, signIn, startPlanspec, until, type Running } from './harness.js'
import { HOSTILE_NAME, liveExecution, RBAC, serveResources, TOKENS, TOKENS_CSV } from './fixtures.js'

const work = mkdtempSync(join(tmpdir(), 'planspec-dashboard-serve-'))
let server: Running
let browser: Awaited<ReturnType<typeof launchBrowser>>
let context: BrowserContext

const phaseOf = async (name: string): Promise<string | undefined> => (await api(server.url, TOKENS.admin, 'GET', `${API}/namespaces/default/executions/${name}`)).body?.status?.phase

beforeAll(async () => {
  writeFileSync(join(work, 'tokens.csv'), TOKENS_CSV)
  server = await startPlanspec(['serve', '--insecure-http', '--db', join(work, 'planspec.db'), '--listen', '127.0.0.1:0', '--tokens', join(work, 'tokens.csv'), '--rbac', '--allow-command', process.execPath, '--workspace', join(work, 'runs')], 'url')
  for (const object of RBAC) {
    const res = await api(server.url, TOKENS.admin, 'POST', `/apis/planspec.io/v1alpha1/${(object as { kind: string }).kind.toLowerCase()}s`, object)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
  }
  await applyAll(server.url, TOKENS.admin, 'default', serveResources())
  browser = await launchBrowser()
  context = browser.context
})

// A browser keeps at most six connections per server and every open page holds watches: close them all.
afterEach(async () => {
  for (const page of context.pages()) await page.close()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function newPage(token: string): Promise<Page> {
  const page = await context.newPage()
  page.on('dialog', (dialog) => void dialog.dismiss())
  await signIn(page, server.url, token)
  return page
}

describe('planspec serve: the dashboard', () => {
  it('serves the page under a strict CSP, refuses a wrong token and signs in with a right one', async () => {
    const res = await fetch(`${server.url}/`)
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp.split(';').map((d) => d.trim())).toEqual(expect.arrayContaining(["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]))
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/)

    const page = await context.newPage()
    await page.goto(`${server.url}/`)
    await page.getByLabel('API token').fill('not-a-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('not valid')
    await screenshots(page, 'login')
    expect(await page.evaluate(() => document.querySelectorAll('script:not([src])').length)).toBe(0)
    // The browser enforces the policy: an inline script injected into the page does not run.
    const inlineRan = await page.evaluate(async () => {
      const script = document.createElement('script')
      script.textContent = 'window.__inline = true'
      document.body.append(script)
      await new Promise((r) => setTimeout(r, 100))
      return (window as unknown as { __inline?: boolean }).__inline === true
    })
    expect(inlineRan).toBe(false)

    await page.getByLabel('API token').fill(TOKENS.alice)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByTestId('viewer').textContent()).toBe('alice')
    // The token lives in this tab's session storage and goes out in a header, never in a cookie.
    expect(await page.evaluate(() => sessionStorage.getItem('planspec.token'))).toBe(TOKENS.alice)
    expect(await context.cookies()).toEqual([])
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('live')
    await expect.poll(() => page.getByTestId('phase-counts').textContent()).toMatch(/\d/)
    await until('the gated run to wait for approval', async () => ((await phaseOf('gated-1')) === 'Blocked' ? true : undefined))
    await expect.poll(() => page.getByTestId('waiting-on-you').textContent(), { timeout: 30_000 }).toContain('release-gate')
    await expect.poll(() => page.locator('ul.reasons', { hasText: 'release-gate' }).textContent(), { timeout: 30_000 }).toContain('waiting for approval of release-gate by team:acme/editors')
    await screenshots(page, 'overview')
    await page.close()
  })

  it('draws an Execution and follows it live while the controller runs it, without a reload', async () => {
    const page = await newPage(TOKENS.carol)
    await applyAll(server.url, TOKENS.admin, 'default', [liveExecution()])
    await page.goto(`${server.url}/#/executions/default/live-1`)
    const node = (id: string) => page.locator(`[data-testid="graph"] [data-node="${id}"]`)
    await node('fetch').waitFor()
    let navigations = 0
    page.on('framenavigated', () => navigations++)
    await expect.poll(() => node('fetch').getAttribute('data-phase'), { timeout: 30_000 }).toBe('Running')
    await screenshots(page, 'execution-running')
    await expect.poll(() => node('build').getAttribute('data-phase'), { timeout: 30_000 }).toBe('Running')
    expect(await node('fetch').getAttribute('data-phase')).toBe('Succeeded')
    await expect.poll(() => node('publish').getAttribute('data-phase'), { timeout: 30_000 }).toBe('Succeeded')
    await expect.poll(() => page.locator('h1 .badge').textContent()).toContain('Succeeded')
    expect(navigations).toBe(0)
    expect(await page.getByTestId('critical-real').textContent()).toContain('fetch → build → publish')
    expect(await page.getByTestId('critical-simulated').textContent()).toContain('fetch → build → publish (8m0s)')
    await page.close()
  })

  it('hides Approve from ineligible users, answers 403 when they force it, and lets an eligible user approve so the run goes on', async () => {
    await until('the gated run to wait for approval', async () => ((await phaseOf('gated-1')) === 'Blocked' ? true : undefined))
    for (const [user, reason] of [
      ['carol', 'your role does not allow approving gates here'],
      ['dan', 'you are not one of its reviewers'],
      ['admin', 'you authored the change that created this run'],
    ] as const) {
      const page = await newPage(TOKENS[user])
      await page.goto(`${server.url}/#/gates/default/release-gate`)
      await expect.poll(() => page.getByTestId('ineligible').textContent(), { timeout: 30_000 }).toContain(reason)
      expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0)
      if (user === 'carol') await screenshots(page, 'gate-ineligible')
      const forced = await page.evaluate(async (token) => {
        const response = await fetch('/apis/planspec.io/v1alpha1/namespaces/default/gates/release-gate/approve', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ execution: 'gated-1' }) })
        return response.status
      }, TOKENS[user])
      expect(forced, `${user} forcing an approval`).toBe(403)
      await page.close()
    }
    expect(await phaseOf('gated-1')).toBe('Blocked')

    const page = await newPage(TOKENS.alice)
    await page.goto(`${server.url}/#/gates/default/release-gate`)
    await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 30_000 })
    await screenshots(page, 'gate')
    await page.getByLabel('Comment (optional)').fill('Looks good <b>ship it</b>')
    await page.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Approved for gated-1')
    await expect.poll(() => page.locator('article.decision .badge').first().textContent(), { timeout: 30_000 }).toContain('Approved')
    const history = page.locator('table').last()
    await expect.poll(() => history.textContent()).toContain('✔ counted')
    expect(await history.textContent()).toContain('✖ refused: SelfApproval')
    expect(await history.textContent()).toContain('Looks good <b>ship it</b>')
    await screenshots(page, 'gate-decided')
    await page.goto(`${server.url}/#/executions/default/gated-1`)
    await expect.poll(() => page.locator('[data-node="ship"]').getAttribute('data-phase'), { timeout: 30_000 }).toBe('Succeeded')
    await expect.poll(() => page.locator('h1 .badge').textContent()).toContain('Succeeded')
    await page.close()
  })

  it("opens a failed node's log from the graph with the keyboard", async () => {
    await until('the failing run to fail', async () => ((await phaseOf('failing-1')) === 'Failed' ? true : undefined))
    const page = await newPage(TOKENS.carol)
    await page.goto(`${server.url}/#/executions/default/failing-1`)
    const compile = page.locator('[data-testid="graph"] [data-node="compile"]')
    await expect.poll(() => compile.getAttribute('data-phase'), { timeout: 30_000 }).toBe('Failed')
    await compile.focus()
    await page.keyboard.press('Enter')
    const panel = page.getByTestId('node-panel')
    await panel.waitFor()
    expect(await panel.textContent()).toContain('ExitCode')
    const log = await page.getByTestId('node-log').textContent()
    // The tail of what the command printed, stdout and stderr, not only the last line.
    expect(log).toContain('compiling 42 files')
    expect(log).toContain('error: disk full while writing out/app.o')
    expect(await panel.textContent()).toContain('Log of attempt 1')
    await screenshots(page, 'execution-failed-node')
    await page.close()
  })

  it('renders a hostile manifest inert: no script runs, no markup is made, bidi overrides are visible, long text is cut', async () => {
    await until('the hostile run to finish', async () => ((await phaseOf('hostile-1')) === 'Succeeded' ? true : undefined))
    const page = await newPage(TOKENS.carol)
    await page.goto(`${server.url}/#/executions/default/hostile-1/nodes/evil`)
    await page.getByTestId('node-panel').waitFor()
    await page.goto(`${server.url}/#/plans/default/hostile`)
    await page.locator('[data-testid="graph"] [data-node="evil"]').waitFor()
    await page.goto(`${server.url}/#/executions/default/hostile-1/nodes/evil`)
    await page.getByTestId('node-panel').waitFor()
    await page.waitForTimeout(300)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await page.evaluate(() => document.querySelectorAll('img, iframe, object, embed, main script, b').length)).toBe(0)
    const label = await page.locator('[data-node="evil"] text').textContent()
    expect(label).toContain('<script>')
    expect(label).toContain('\\u{202e}')
    expect(label).not.toContain('\u202E')
    expect((label ?? '').length).toBeLessThan(40)
    const panel = (await page.getByTestId('node-panel').textContent()) ?? ''
    expect(panel).toContain('<img src=x onerror=')
    expect(panel.length).toBeLessThan(60_000)
    // The page does not grow sideways: long values wrap or are cut.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280)
    expect(HOSTILE_NAME).toContain('\u202E')
    await screenshots(page, 'hostile')
    await page.close()
  })

  it('shows a Plan with the versions of its series and the Executions that ran it, and a Goal with its Plans', async () => {
    await until('the release run to finish', async () => ((await phaseOf('release-2')) === 'Succeeded' ? true : undefined))
    const page = await newPage(TOKENS.carol)
    await page.goto(`${server.url}/#/plans/default/release-v2`)
    await page.locator('[data-testid="graph"] [data-node="announce"]').waitFor({ timeout: 30_000 })
    const versions = page.locator('section', { hasText: 'Versions in the series' })
    await expect.poll(() => versions.locator('tbody tr').allTextContents()).toEqual(['release-v22.0.0', 'release-v11.0.0'])
    await expect.poll(() => page.locator('section', { hasText: 'Executions that ran it' }).textContent(), { timeout: 30_000 }).toContain('release-2')
    await screenshots(page, 'plan')
    await page.goto(`${server.url}/#/goals/default/ship-app`)
    await expect.poll(() => page.locator('section', { hasText: 'Plans' }).first().textContent(), { timeout: 30_000 }).toContain('release-v1')
    expect(await page.locator('section', { hasText: 'Executions' }).last().textContent()).toContain('release-2')
    expect(await page.locator('[data-testid="graph"] [data-node]').count()).toBeGreaterThan(0)
    await screenshots(page, 'goal')
  })

  it('paints the Execution page of a 200-node plan, and works at phone width', async () => {
    await until('the big run to finish', async () => ((await phaseOf('big-1')) === 'Succeeded' ? true : undefined), 120_000)
    const page = await newPage(TOKENS.carol)
    await page.goto(`${server.url}/#/`)
    await page.getByTestId('phase-counts').waitFor()
    // A fresh load of the page: from navigation start to the graph of 200 nodes painted.
    await page.goto(`${server.url}/#/executions/default/big-1`, { waitUntil: 'load' })
    await page.reload()
    await page.locator('[data-testid="graph"][data-nodes="200"]').waitFor({ timeout: 30_000 })
    const firstPaintMs = await until('the graph paint mark', () => page.evaluate(() => performance.getEntriesByName('planspec:graph-painted')[0]?.startTime))
    const nodes = await page.locator('[data-testid="graph"] [data-node]').count()
    expect(nodes).toBe(200)
    const breakdown = await page.evaluate(() => {
      const lists = performance.getEntriesByType('resource').filter((e) => /\/apis\//.test(e.name) && !e.name.includes('watch=true'))
      return { dataMs: Math.max(...lists.map((e) => (e as PerformanceResourceTiming).responseEnd)), drawnMs: performance.getEntriesByName('planspec:graph')[0]?.startTime ?? 0 }
    })
    console.log(`first paint of the 200-node Execution page: ${Math.round(firstPaintMs)} ms after navigation start (API data in by ${Math.round(breakdown.dataMs)} ms, graph drawn by ${Math.round(breakdown.drawnMs)} ms; 1280x720, Chromium ${context.browser()?.version() ?? 'headless'})`)
    await screenshots(page, 'execution-200')
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${server.url}/#/gates/default/release-gate`)
    await page.locator('article.decision').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await screenshots(page, 'gate-phone')
    await page.close()
  })
})
