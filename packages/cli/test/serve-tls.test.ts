// `planspec serve --tls-cert --tls-key`: the bundled binary serves HTTPS; the CLI itself (trusting
// the certificate through NODE_EXTRA_CA_CERTS, as any Node client may) and curl (--cacert) are
// served, a client without the certificate is refused by TLS; half the flag pair is a usage error.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { cli } from './helpers.js'
import { BIN } from './mcp-support.js'

const work = mkdtempSync(join(tmpdir(), 'planspec-serve-tls-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  rmSync(work, { recursive: true, force: true })
})

describe('planspec serve over TLS', () => {
  it('serves HTTPS with the given certificate: planspec and curl trusting it are served, a client that does not is refused', async () => {
    // The CLI loads the server on demand (lint forbids a static import of it, here too).
    const { createSelfSignedCertificate } = await import('@planspec/server')
    const { cert, key } = await createSelfSignedCertificate({ hosts: ['localhost', '127.0.0.1'] })
    writeFileSync(join(work, 'server.crt'), cert)
    writeFileSync(join(work, 'server.key'), key, { mode: 0o600 })
    writeFileSync(join(work, 'tokens.csv'), 'admin-tls-token-0001,admin,system:masters\n')
    const child = spawn(process.execPath, [BIN, 'serve', '--db', join(work, 'planspec.db'), '--listen', '127.0.0.1:0', '--tokens', join(work, 'tokens.csv'), '--tls-cert', join(work, 'server.crt'), '--tls-key', join(work, 'server.key'), '--no-dashboard'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, PLANSPEC_LOG_LEVEL: 'info' } })
    children.push(child)
    let log = ''
    child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
    await vi.waitFor(() => expect(log).toMatch(/"url":"https:/), { timeout: 30_000, interval: 50 })
    const url = /"url":"(https:\/\/[^"]+)"/.exec(log)![1]!

    const planspec = (args: string[], env: Record<string, string>, input = '') => spawnSync(process.execPath, [BIN, ...args], { cwd: work, input, encoding: 'utf8', env: { PATH: process.env.PATH, PLANSPEC_TOKEN: 'admin-tls-token-0001', ...env } })
    const applied = planspec(['apply', '-f', '-', '--server', url], { NODE_EXTRA_CA_CERTS: join(work, 'server.crt') }, 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: over-tls\nspec:\n  description: Reached over HTTPS\n')
    expect(applied.status, applied.stderr).toBe(0)
    const listed = planspec(['get', 'goals', '--server', url, '-o', 'json'], { NODE_EXTRA_CA_CERTS: join(work, 'server.crt') })
    expect(listed.status, listed.stderr).toBe(0)
    expect((JSON.parse(listed.stdout) as { items: Array<{ metadata: { name: string } }> }).items.map((g) => g.metadata.name)).toEqual(['over-tls'])
    const curl = spawnSync('curl', ['-sS', '--cacert', join(work, 'server.crt'), '-H', 'Authorization: Bearer admin-tls-token-0001', `${url}/apis/planspec.io/v1alpha1/namespaces/default/goals/over-tls`], { encoding: 'utf8' })
    expect(curl.status, curl.stderr).toBe(0)
    expect(JSON.parse(curl.stdout)).toMatchObject({ kind: 'Goal', metadata: { name: 'over-tls' }, spec: { description: 'Reached over HTTPS' } })

    const untrusted = spawnSync('curl', ['-sS', `${url}/healthz`], { encoding: 'utf8' })
    expect(untrusted.status).toBe(60) // curl: peer certificate cannot be authenticated with known CA certificates
    const untrustedCli = planspec(['get', 'goals', '--server', url], {})
    expect(untrustedCli.status).not.toBe(0)
    expect(untrustedCli.stderr).toContain('SELF_SIGNED')
    expect(untrustedCli.stdout).not.toContain('over-tls')
  }, 120_000)

  it('refuses --tls-cert without --tls-key, and an unreadable certificate, with exit 2', async () => {
    const half = await cli(['serve', '--db', ':memory:', '--listen', '127.0.0.1:0', '--tls-cert', join(work, 'server.crt')])
    expect(half.code).toBe(2)
    expect(half.stderr).toContain('--tls-cert and --tls-key go together')
    const missing = await cli(['serve', '--db', ':memory:', '--listen', '127.0.0.1:0', '--tls-cert', join(work, 'absent.crt'), '--tls-key', join(work, 'absent.key')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/cannot read the TLS certificate or key: .*absent\.crt/)
  }, 60_000)
})
