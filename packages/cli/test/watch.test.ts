// `planspec watch KIND [NAME]` and `planspec get KIND [NAME] -w` (one implementation) follow the
// status branch in git mode (issue 14), through the bundled binary: a repository served over real
// git smart HTTP, the agent running an Execution (two Tasks that take a moment each, so its status
// commits arrive one by one), and both commands' `-o json` event streams parsed, showing the phase
// transitions; the same commands against a server print the same events. Tmux tests show Ctrl-C
// ending either git-mode watch at once with 130.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createBareRepo, pushFixture, startGitServer, type GitServer } from '@planspec/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { stringify } from 'yaml'
import { REPO } from './helpers.js'
import { startServe, type ServeProcess } from './serve-process.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const api = 'planspec.io/v1alpha1'
const doc = (kind: string, name: string, spec: unknown, namespace = 'default'): string => stringify({ apiVersion: api, kind, metadata: { name, namespace }, spec })
const pause = (name: string): Record<string, unknown> => ({ selector: { planRef: { name: 'ship-plan' }, nodeId: name }, target: { provider: `exec://${name}`, config: { command: [process.execPath, '-e', 'setTimeout(() => {}, 1500)'] } } })

const FILES: Record<string, string> = {
  '.planspec.yaml': 'namespace: default\n',
  'planspec/goal.yaml': doc('Goal', 'ship', { description: 'Ship it' }),
  'planspec/capability.yaml': doc('Capability', 'shipping', { description: 'Ships things' }),
  'planspec/plan.yaml': doc('Plan', 'ship-plan', { description: 'Two slow steps', goalRef: { name: 'ship' }, graph: { nodes: [{ id: 'build', kind: 'Task', name: 'Build', capabilityRefs: [{ name: 'shipping' }] }, { id: 'release', kind: 'Task', name: 'Release', dependsOn: ['build'], capabilityRefs: [{ name: 'shipping' }] }] } }),
  'planspec/binding.yaml': doc('Binding', 'slow', { rules: [pause('build'), pause('release')] }),
  'planspec/execution.yaml': doc('Execution', 'ship-1', { goalRef: { name: 'ship' }, planRef: { name: 'ship-plan' }, bindingRef: { name: 'slow' } }),
  // Another namespace: -n default must not show it.
  'planspec/elsewhere.yaml': doc('Goal', 'other', { description: 'Not watched' }, 'team-b'),
}

interface WatchEvent {
  type: string
  object: { kind: string; metadata: { name: string; namespace: string }; status?: { phase?: string } }
}

let root: string
let git: GitServer
let serve: ServeProcess | undefined
const env: Record<string, string> = {}
const children: ChildProcess[] = []
const sockets: string[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-get-watch-'))
  Object.assign(env, { PATH: process.env.PATH ?? '', HOME: join(root, 'home'), XDG_STATE_HOME: join(root, 'state'), XDG_CACHE_HOME: join(root, 'cache'), PLANSPEC_CONFIG: join(root, 'home/.planspec/config'), PLANSPEC_LOG_LEVEL: 'warn' })
  mkdirSync(env.HOME!, { recursive: true })
  git = await startGitServer({ root })
}, 120_000)
afterEach(() => {
  for (const socket of sockets.splice(0)) spawnSync('tmux', ['-L', socket, 'kill-server'])
})
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await serve?.stop()
  await git?.close()
})

/** Starts the bundled CLI; its output accumulates in `out` and `err`; `exited` resolves with its code. */
function start(args: readonly string[], extra: Record<string, string> = {}): { out: () => string; err: () => string; child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, ...extra }, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
  return { out: () => out, err: () => err, child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) }
}

/** The NDJSON events printed so far (each line parsed). */
const eventsOf = (text: string): WatchEvent[] => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as WatchEvent)

/** The phases one object went through, in order, without repeats. */
function phases(events: readonly WatchEvent[], name: string): string[] {
  const seen: string[] = []
  for (const event of events) {
    if (event.object.metadata.name !== name) continue
    const phase = event.object.status?.phase ?? '(none)'
    if (seen.at(-1) !== phase) seen.push(phase)
  }
  return seen
}

async function pushRepo(name: string): Promise<string> {
  const bare = await createBareRepo(root, name)
  await pushFixture({ remote: bare, files: FILES, date: Math.floor(Date.now() / 1000) })
  return git.url(name)
}

// The two spellings of one watch: `planspec watch KIND` and `planspec get KIND -w`.
const SPELLINGS = [['watch', 'executions'], ['get', 'executions', '-w']] as const

describe('watch and get -w in git mode', () => {
  it('print the current objects, then a line per status commit of the agent: the phase transitions, parsed from -o json', async () => {
    const url = await pushRepo('watch-json.git')
    const watches = SPELLINGS.map((words, i) => start([...words, '-o', 'json', '-n', 'default', '--repo', url, '--interval', '200ms', '--cache-dir', join(root, `watch-cache-${i}`)]))
    for (const watch of watches) {
      await vi.waitFor(() => expect(eventsOf(watch.out()).length).toBeGreaterThan(0), { timeout: 60_000, interval: 100 })
      expect(eventsOf(watch.out())).toEqual([expect.objectContaining({ type: 'ADDED', object: expect.objectContaining({ kind: 'Execution', metadata: expect.objectContaining({ name: 'ship-1', namespace: 'default' }) }) })])
    }

    const agent = start(['agent', '--repo', url, '--once', '--interval', '100ms', '--allow-command', process.execPath, '--cache-dir', join(root, 'agent-cache'), '--workspace', join(root, 'agent-ws')])
    expect(await agent.exited, agent.err() + agent.out()).toBe(0)
    const streams: WatchEvent[][] = []
    for (const watch of watches) {
      await vi.waitFor(() => expect(phases(eventsOf(watch.out()), 'ship-1').at(-1)).toBe('Succeeded'), { timeout: 60_000, interval: 100 })
      const events = eventsOf(watch.out())
      streams.push(events)
      expect(phases(events, 'ship-1')).toEqual(['Pending', 'Running', 'Succeeded'])
      expect(events.slice(1).every((e) => e.type === 'MODIFIED')).toBe(true)
      // The node transitions show too: build ran before release, each Running then Succeeded.
      const nodes = events.map((e) => (e.object.status as { nodeStatuses?: Record<string, { phase?: string }> } | undefined)?.nodeStatuses ?? {})
      expect(nodes.some((n) => n.build?.phase === 'Running' && n.release?.phase !== 'Running')).toBe(true)
      expect(nodes.some((n) => n.build?.phase === 'Succeeded' && n.release?.phase === 'Running')).toBe(true)
      // Only what was asked: Executions of namespace default.
      expect(events.every((e) => e.object.kind === 'Execution' && e.object.metadata.namespace === 'default')).toBe(true)
      watch.child.kill('SIGINT')
      expect(await watch.exited).toBe(130)
      expect(watch.err()).toBe('')
    }
    // Both spellings saw the same first and last object.
    expect(streams[0]![0]).toEqual(streams[1]![0])
    expect(streams[0]!.at(-1)).toEqual(streams[1]!.at(-1))
    const events = streams[0]!

    // The same command against a server prints the same events: its watch, the same format.
    serve = await startServe(BIN, root, { executions: true, allowCommands: [process.execPath] })
    const dir = mkdtempSync(join(root, 'apply-'))
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
    const onServer = SPELLINGS.map((words) => start([...words, '-o', 'json', '-n', 'default', '--server', serve!.url], serve!.env))
    const applied = start(['apply', '-f', join(dir, 'planspec'), '--server', serve.url], serve.env)
    expect(await applied.exited, applied.err()).toBe(0)
    for (const watch of onServer) {
      await vi.waitFor(() => expect(phases(eventsOf(watch.out()), 'ship-1').at(-1)).toBe('Succeeded'), { timeout: 120_000, interval: 100 })
      const served = eventsOf(watch.out())
      // (The watch may connect after the server accepted the Execution: its first event is then Running.)
      expect(phases(served, 'ship-1').slice(-2)).toEqual(['Running', 'Succeeded'])
      expect(['Pending', 'Running']).toContain(phases(served, 'ship-1')[0])
      expect(served[0]).toEqual(expect.objectContaining({ type: 'ADDED' }))
      expect(served.slice(1).every((e) => e.type === 'MODIFIED')).toBe(true)
      expect(Object.keys(served[0]!.object).sort()).toEqual(Object.keys(events[0]!.object).sort())
      watch.child.kill('SIGINT')
      expect(await watch.exited).toBe(130)
    }
  }, 600_000)

  it.each(SPELLINGS.map((words) => [words.join(' '), words] as const))('%s prints event lines, honours -l, and fails at once on a missing name, a bad selector or an unreadable repository', async (label, words) => {
    const [verb, , ...flag] = words
    const url = await pushRepo(`watch-text-${verb}.git`)
    const cache = (n: number): string => join(root, `text-cache-${verb}-${n}`)
    const watch = start([verb, 'goals', ...flag, '-A', '-l', 'missing!=x', '--repo', url, '--interval', '200ms', '--cache-dir', cache(1)])
    await vi.waitFor(() => expect(watch.out().split('\n').filter(Boolean).length).toBe(2), { timeout: 60_000, interval: 100 })
    expect(watch.out()).toBe('ADDED goal/default/ship Pending\nADDED goal/team-b/other Pending\n')
    watch.child.kill('SIGINT')
    expect(await watch.exited).toBe(130)
    const selected = start([verb, 'goals', ...flag, '-A', '-l', 'team=none', '--repo', url, '--interval', '200ms', '--cache-dir', cache(2)])
    await new Promise((resolve) => setTimeout(resolve, 3000))
    expect(selected.out()).toBe('')
    selected.child.kill('SIGINT')
    expect(await selected.exited).toBe(130)
    // One named object: its own namespace is found, the lines name it without one.
    const named = start([verb, 'goal', 'other', ...flag, '--repo', url, '--interval', '200ms', '--cache-dir', cache(3)])
    await vi.waitFor(() => expect(named.out()).toBe('ADDED goal/other Pending\n'), { timeout: 60_000, interval: 100 })
    named.child.kill('SIGINT')
    expect(await named.exited).toBe(130)
    const missing = start([verb, 'execution', 'nope', ...flag, '--repo', url, '--cache-dir', cache(4)])
    expect(await missing.exited, label).toBe(1)
    expect(missing.err()).toContain('error: execution "nope" not found')
    const badSelector = start([verb, 'goals', ...flag, '-l', 'team in (', '--repo', url, '--cache-dir', cache(5)])
    expect(await badSelector.exited).toBe(2)
    expect(badSelector.err()).toMatch(/^error: -l: /)
    const unreadable = start([verb, 'goals', ...flag, '--repo', git.url('no-such-repo.git'), '--cache-dir', cache(6)])
    expect(await unreadable.exited).not.toBe(0)
    expect(unreadable.err()).toMatch(/^error: /)
    expect(unreadable.out()).toBe('')
  }, 300_000)

  it.each(SPELLINGS.map((words) => [words.join(' '), words] as const))('%s stops at once on Ctrl-C in a terminal, exit 130', async (_label, words) => {
    const url = await pushRepo(`watch-tty-${words[0]}.git`)
    const socket = `planspec-${randomUUID()}`
    sockets.push(socket)
    spawnSync('tmux', ['-L', socket, 'new-session', '-d', '-s', 's', '-x', '160', '-y', '40', 'bash', '--norc', '--noprofile'])
    // The command in a script, so the screen holds only what it prints.
    const script = join(root, 'watch.sh')
    writeFileSync(script, `${Object.entries(env).map(([k, v]) => `export ${k}='${v}'`).join('\n')}\n'${process.execPath}' '${BIN}' ${words.join(' ')} --repo '${url}' --interval 500ms --cache-dir '${join(root, `tty-cache-${words[0]}`)}'\necho "EXIT=$?"\n`)
    spawnSync('tmux', ['-L', socket, 'send-keys', '-t', 's', `clear; bash ${script}`, 'Enter'])
    const screen = async (pattern: RegExp): Promise<string> => {
      let text = ''
      await vi.waitFor(() => {
        text = spawnSync('tmux', ['-L', socket, 'capture-pane', '-p', '-t', 's'], { encoding: 'utf8' }).stdout
        expect(text).toMatch(pattern)
      }, { timeout: 60_000, interval: 100 })
      return text
    }
    await screen(/^ADDED execution\/default\/ship-1 Pending$/m)
    spawnSync('tmux', ['-L', socket, 'send-keys', '-t', 's', 'C-c'])
    const shown = await screen(/EXIT=\d+/)
    expect(shown).toMatch(/EXIT=130/)
    expect(shown).not.toMatch(/at .*\.mjs:\d+/)
  }, 180_000)
})
