// `planspec serve` logging, on the real server process (the bundle): no line per request at the
// default level, one summary of error responses, and the full access log with --access-log. Every
// line is parsed as JSON.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { REPO } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const API = '/apis/planspec.io/v1alpha1'
const ADMIN = 'admin-token-logging'
const CANARY = 'canary-logging-secret-9f3a'
const work = mkdtempSync(join(tmpdir(), 'planspec-serve-logging-'))
const tokensFile = join(work, 'tokens.csv')
writeFileSync(tokensFile, `${ADMIN},admin,system:masters\n`)
afterAll(() => rmSync(work, { recursive: true, force: true }))

interface Served {
  readonly url: string
  readonly child: ChildProcess
  stdout(): string
}

async function startServe(name: string, flags: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--insecure-http', '--db', join(work, `${name}.db`), '--listen', '127.0.0.1:0', '--tokens', tokensFile, '--workspace', join(work, `${name}-runs`), ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // A secret-looking variable: its value must never reach a log line.
    env: { PATH: process.env.PATH, PLANSPEC_LOG_LEVEL: 'info', PLANSPEC_LOGGING_TOKEN: CANARY },
  })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  await vi.waitFor(() => expect(out).toMatch(/"url":"http/), { timeout: 30_000, interval: 50 })
  return { url: (JSON.parse(out.split('\n').find((l) => l.includes('"url"'))!) as { url: string }).url, child, stdout: () => out }
}
async function stop(served: Served): Promise<void> {
  if (served.child.exitCode !== null) return
  const exited = new Promise((resolve) => served.child.once('exit', resolve))
  served.child.kill('SIGTERM')
  await exited
}
const lines = (text: string): Record<string, any>[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>)

/** 20 good reads, 3 reads of a missing Goal (one whose name is the secret), 2 bad tokens. */
async function traffic(url: string): Promise<void> {
  const get = async (path: string, token = ADMIN) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status
  for (let i = 0; i < 20; i++) expect(await get(`${API}/namespaces/default/goals`)).toBe(200)
  for (const name of ['missing-1', 'missing-2', CANARY]) expect(await get(`${API}/namespaces/default/goals/${name}`)).toBe(404)
  for (let i = 0; i < 2; i++) expect(await get(`${API}/namespaces/default/goals`, 'not-a-token')).toBe(401)
}

describe('planspec serve logging', () => {
  it('writes no line per request by default, and counts the error responses in one summary line', async () => {
    const served = await startServe('quiet', [])
    await traffic(served.url)
    await stop(served)
    const logged = lines(served.stdout())
    expect(logged.filter((l) => l.reqId !== undefined || l.req !== undefined || l.res !== undefined)).toEqual([])
    const summaries = logged.filter((l) => l.errors !== undefined)
    expect(summaries).toHaveLength(1)
    expect(summaries[0]!.errors).toEqual(
      expect.arrayContaining([
        { status: 404, method: 'GET', route: `${API}/namespaces/:namespace/:plural/:name`, count: 3 },
        { status: 401, method: 'GET', route: `${API}/namespaces/:namespace/:plural`, count: 2 },
      ]),
    )
    expect(served.stdout()).not.toContain(CANARY)
  }, 90_000)

  it('writes every request to the --access-log file, asynchronously, owner-only and with secrets masked', async () => {
    const file = join(work, 'access.log')
    const served = await startServe('access', ['--access-log', file])
    await traffic(served.url)
    await stop(served)
    const access = lines(readFileSync(file, 'utf8'))
    expect(access).toHaveLength(25)
    expect(access.filter((l) => l.status === 200 && l.user === 'admin' && l.route === `${API}/namespaces/:namespace/:plural`)).toHaveLength(20)
    expect(access.filter((l) => l.status === 404).map((l) => l.url)).toEqual([`${API}/namespaces/default/goals/missing-1`, `${API}/namespaces/default/goals/missing-2`, `${API}/namespaces/default/goals/[REDACTED]`])
    expect(access.filter((l) => l.status === 401 && l.user === undefined)).toHaveLength(2)
    for (const line of access) expect(line).toMatchObject({ msg: 'request', method: 'GET', ms: expect.any(Number), ip: '127.0.0.1', reqId: expect.any(String) })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).not.toContain(CANARY)
    expect(readFileSync(file, 'utf8')).not.toContain(ADMIN)
    // The main log still has no line per request.
    expect(lines(served.stdout()).filter((l) => l.reqId !== undefined)).toEqual([])
  }, 90_000)
})
