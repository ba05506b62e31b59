// The reference project's README (test/fixtures/seed-README.md, from ../shared/seed), followed line
// by line as a new user would, after a bare `planspec serve` (first start: TLS, admin token, a
// context in ~/.planspec/config, a kubeconfig): its commands run as written against the bundled
// binary with no flags, and the Execution ends Blocked on the Binding it names, named as missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lexer, type Tokens } from 'marked'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import { BIN } from './mcp-support.js'

const work = mkdtempSync(join(tmpdir(), 'planspec-seed-'))
const home = join(work, 'home')
const project = join(work, 'project')
mkdirSync(home)
mkdirSync(project)
const env = { PATH: process.env.PATH ?? '', HOME: home, PLANSPEC_LOG_LEVEL: 'info' }
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
})

/** The README's code blocks, by language, in order (a Markdown lexer, not a regex). */
const blocks = (lexer(readFileSync(join(import.meta.dirname, 'fixtures/seed-README.md'), 'utf8')).filter((t) => t.type === 'code') as Tokens.Code[])
const commands = blocks.filter((b) => b.lang === 'bash').flatMap((b) => b.text.split('\n')).map((line) => line.trim()).filter((line) => line.startsWith('planspec '))
const manifests = blocks.filter((b) => b.lang === 'yaml').map((b) => b.text)

const planspec = (args: readonly string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: project, env, encoding: 'utf8', timeout: 120_000 })
/** Runs one README line as argv (the lines are plain words: no quoting, no shell). */
const line = (text: string) => planspec(text.split(/\s+/).slice(1))

describe('the reference quick start, verbatim', () => {
  it('works after a bare planspec serve: validate, apply, watch and graph with no flags; the Execution is Blocked on its missing Binding', async () => {
    expect(commands).toEqual(['planspec validate -f goal.yaml', 'planspec apply -f goal.yaml', 'planspec watch executions', 'planspec graph sso-implementation-v2'])
    expect(manifests.map((text) => (parse(text) as { kind: string }).kind)).toEqual(['Goal', 'Plan', 'Execution'])
    const files = ['goal.yaml', 'plan.yaml', 'execution.yaml']
    manifests.forEach((text, i) => writeFileSync(join(project, files[i]!), text))

    // planspec serve: first start, on a free port (the default 8080 may be taken on a shared machine).
    const server = spawn(process.execPath, [BIN, 'serve', '--db', join(home, 'planspec.db'), '--listen', '127.0.0.1:0', '--write-kubeconfig', join(home, '.kube/config'), '--workspace', join(work, 'runs')], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(server)
    let said = ''
    server.stdout!.on('data', (chunk: Buffer) => (said += chunk.toString()))
    server.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()))
    await vi.waitFor(() => expect(said).toMatch(/^Admin token/m), { timeout: 60_000, interval: 100 })
    const url = /^PlanSpec API server at (https:\/\/127\.0\.0\.1:\d+): context "local"/m.exec(said)![1]!
    const token = /^Admin token \(shown once; kept for this user in (.+)\): (psa_\S+)$/m.exec(said)!
    expect(readFileSync(token[1]!, 'utf8').trim()).toBe(token[2])
    const config = parse(readFileSync(join(home, '.planspec/config'), 'utf8')) as { currentContext: string; contexts: Record<string, Record<string, string>> }
    expect(config).toEqual({ currentContext: 'local', contexts: { local: { server: url, tokenFile: token[1], certificateAuthority: join(home, 'planspec.tls.crt') } } })
    for (const file of [join(home, '.planspec/config'), token[1]!, join(home, 'planspec.tls.key'), join(home, 'planspec.admin-token.sha256'), join(home, '.kube/config')]) expect(statSync(file).mode & 0o777, file).toBe(0o600)
    // Only the token's digest is kept beside the database.
    expect(readFileSync(join(home, 'planspec.admin-token.sha256'), 'utf8')).not.toContain(token[2]!)

    // planspec validate -f goal.yaml: the flag works; the reference's "7d" is refused as DECISIONS §2
    // says (Go durations), with the fix, which planspec fix applies.
    const first = line(commands[0]!)
    expect(first.status, first.stderr).toBe(1)
    expect(first.stdout).toContain('PS5006')
    expect(first.stdout).toContain('168h')
    expect(planspec(['fix', 'goal.yaml']).status).toBe(0)
    const validated = line(commands[0]!)
    expect(validated.status, validated.stdout + validated.stderr).toBe(0)

    // planspec apply -f goal.yaml, then the same for the Example's Plan and Execution.
    const applied = line(commands[1]!)
    expect(applied.status, applied.stderr).toBe(0)
    expect(applied.stdout).toBe('goal/enable-google-sso created\n')
    for (const file of ['plan.yaml', 'execution.yaml']) {
      const result = line(commands[1]!.replace('goal.yaml', file))
      expect(result.status, result.stderr).toBe(0)
    }

    // planspec watch executions: every namespace (the context sets none); Ctrl-C ends it with 130.
    const watch = spawn(process.execPath, [BIN, ...commands[2]!.split(' ').slice(1)], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(watch)
    let watched = ''
    watch.stdout!.on('data', (chunk: Buffer) => (watched += chunk.toString()))
    watch.stderr!.on('data', (chunk: Buffer) => (watched += chunk.toString()))
    await vi.waitFor(() => expect(watched).toContain('execution/team-platform/sso-exec-001 Blocked'), { timeout: 60_000, interval: 100 })
    const watchExit = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)))
    watch.kill('SIGINT')
    expect(await watchExit).toBe(130)

    // planspec graph sso-implementation-v2: read from the server of the current context.
    const graph = line(commands[3]!)
    expect(graph.status, graph.stderr).toBe(0)
    expect(graph.stdout).toContain('team-platform/sso-implementation-v2')
    const drawn = JSON.parse(planspec([...commands[3]!.split(' ').slice(1), '-o', 'json']).stdout) as { nodes: Array<{ id: string }> }
    expect(drawn.nodes.map((n) => n.id)).toEqual(['research', 'implement', 'review'])

    // The Execution: Blocked, on the Binding it names, said to be missing (not absent from the spec).
    const described = planspec(['get', 'execution', 'sso-exec-001', '-n', 'team-platform', '-o', 'json'])
    expect(described.status, described.stderr).toBe(0)
    const status = (JSON.parse(described.stdout) as { status: { phase: string; reason: string; message: string } }).status
    expect(status).toMatchObject({ phase: 'Blocked', reason: 'BindingNotFound' })
    expect(status.message).toContain('Binding "team-platform/platform-bindings" (spec.bindingRef)')
    expect(status.message).toContain('does not exist')

    // kubectl takes the kubeconfig serve wrote: the cluster's CA, the admin token file, the context.
    const kubeconfig = join(home, '.kube/config')
    const view = spawnSync('kubectl', ['config', 'view', '--kubeconfig', kubeconfig, '-o', 'json'], { encoding: 'utf8', env })
    expect(view.status, view.stderr).toBe(0)
    expect(JSON.parse(view.stdout)).toMatchObject({ 'current-context': 'planspec-local', clusters: [{ name: 'planspec-local', cluster: { server: url, 'certificate-authority-data': 'DATA+OMITTED' } }], users: [{ name: 'planspec-local', user: { tokenFile: token[1] } }] })
    const raw = spawnSync('kubectl', ['get', '--raw', '/apis/planspec.io/v1alpha1/namespaces/team-platform/executions/sso-exec-001', '--kubeconfig', kubeconfig], { encoding: 'utf8', env })
    expect(raw.status, raw.stderr).toBe(0)
    expect(JSON.parse(raw.stdout)).toMatchObject({ kind: 'Execution', metadata: { name: 'sso-exec-001' }, status: { phase: 'Blocked' } })

    // The token was printed once, on the terminal: never in the JSON log lines.
    for (const logLine of said.split('\n').filter((l) => l.startsWith('{'))) expect(logLine).not.toContain(token[2]!)
    const stopped = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)))
    server.kill('SIGINT')
    expect(await stopped).toBe(130)

    // A second start keeps the certificate and the token: no new token is printed.
    const again = spawn(process.execPath, [BIN, 'serve', '--db', join(home, 'planspec.db'), '--listen', '127.0.0.1:0', '--workspace', join(work, 'runs')], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(again)
    let againSaid = ''
    again.stderr!.on('data', (chunk: Buffer) => (againSaid += chunk.toString()))
    await vi.waitFor(() => expect(againSaid).toMatch(/^Admin token: unchanged/m), { timeout: 60_000, interval: 100 })
    expect(againSaid).not.toContain('psa_')
    const listed = planspec(['get', 'goals', '-o', 'name'])
    expect(listed.status, listed.stderr).toBe(0)
    expect(listed.stdout).toBe('goal/enable-google-sso\n')
    again.kill('SIGTERM')
  }, 300_000)
})
