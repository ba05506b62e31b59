// The compatibility suites' server: the bundled `planspec serve` over HTTPS with a self-signed
// certificate, tokens for an admin and a user without roles, and a kubeconfig that kubectl and
// @kubernetes/client-node read as they would a cluster's (server URL, CA data, bearer token).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, vi } from 'vitest'

/** The planspec command (it loads the bundle `npm run build` makes; the tools test target depends on it). */
export const BIN = join(import.meta.dirname, '../../../packages/cli/bin/planspec.js')
export const ADMIN_TOKEN = 'kube-compat-admin-token-0001'
export const ALICE_TOKEN = 'kube-compat-alice-token-0001'

/** A running `planspec serve` and what clients need to reach it. */
export interface KubeServer {
  readonly url: string
  readonly ca: string
  readonly dir: string
  /** A kubeconfig for `user` (admin or alice). */
  kubeconfig(user: 'admin' | 'alice'): string
  /** A request to the API as the admin, trusting the server's certificate; the body parsed. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>
  /** The open watch streams the server reports (its `planspec_watches` metric). */
  openWatches(): Promise<number>
  stop(): Promise<void>
}

/** Writes a kubeconfig: one cluster (URL and CA data), one user (a bearer token), one context. */
export function writeKubeconfig(file: string, url: string, ca: string, token: string): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'planspec', cluster: { server: url, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
    users: [{ name: 'planspec-user', user: { token } }],
    contexts: [{ name: 'planspec', context: { cluster: 'planspec', user: 'planspec-user', namespace: 'default' } }],
    'current-context': 'planspec',
  }
  // JSON is YAML: kubectl and client-node read it as a kubeconfig.
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 })
  return file
}

/** Starts the bundled `planspec serve --tls-cert --tls-key` on a free port and waits for its URL. */
export async function startKubeServer(): Promise<KubeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'planspec-kube-'))
  // Loaded on demand, as the benchmarks load the server package.
  const { createSelfSignedCertificate } = await import('@planspec/server')
  const { cert, key } = await createSelfSignedCertificate({ hosts: ['127.0.0.1', 'localhost'] })
  writeFileSync(join(dir, 'server.crt'), cert)
  writeFileSync(join(dir, 'server.key'), key, { mode: 0o600 })
  writeFileSync(join(dir, 'tokens.csv'), `${ADMIN_TOKEN},admin,system:masters\n${ALICE_TOKEN},alice\n`, { mode: 0o600 })
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--db', join(dir, 'planspec.db'), '--listen', '127.0.0.1:0', '--tokens', join(dir, 'tokens.csv'), '--tls-cert', join(dir, 'server.crt'), '--tls-key', join(dir, 'server.key'), '--no-dashboard', '--workspace', join(dir, 'runs')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', PLANSPEC_LOG_LEVEL: 'info' },
  })
  let log = ''
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  await vi.waitFor(() => {
    if (child.exitCode !== null) throw new Error(`planspec serve exited ${child.exitCode}: ${log}`)
    expect(log).toMatch(/"url":"https:/)
  }, { timeout: 60_000, interval: 100 })
  const url = /"url":"(https:\/\/[^"]+)"/.exec(log)![1]!
  const files = { admin: writeKubeconfig(join(dir, 'kubeconfig-admin'), url, cert, ADMIN_TOKEN), alice: writeKubeconfig(join(dir, 'kubeconfig-alice'), url, cert, ALICE_TOKEN) }
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body)
      const req = httpsRequest(`${url}${path}`, { method, ca: cert, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/json', ...(text === undefined ? {} : { 'content-type': 'application/json' }), ...headers } }, (res) => {
        let data = ''
        res.on('data', (chunk: Buffer) => (data += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data === '' ? undefined : JSON.parse(data) }))
      })
      req.on('error', reject)
      req.end(text)
    })
  const openWatches = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(`${url}/metrics`, { ca: cert, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, (res) => {
        let data = ''
        res.on('data', (chunk: Buffer) => (data += chunk.toString()))
        res.on('end', () => resolve(Number(/^planspec_watches (\d+)$/m.exec(data)?.[1] ?? 0)))
      })
      req.on('error', reject)
      req.end()
    })
  return {
    url,
    ca: cert,
    dir,
    kubeconfig: (user) => files[user],
    api,
    openWatches,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await new Promise((resolve) => child.once('exit', resolve))
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Where kubectl is, or undefined. The suites fail (never skip) without it. */
export function findKubectl(): string | undefined {
  const found = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' })
  return found.status === 0 ? 'kubectl' : undefined
}
