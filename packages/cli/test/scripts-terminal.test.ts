// The command line in shells and scripts, driven through the bundled binary: Tab completion in real
// bash, zsh and fish sessions (tmux gives them a terminal), Ctrl-C ending commands stuck on a hung
// server at once with exit 130, the request timeout naming the URL, and "did you mean".
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cli, REPO } from './helpers.js'

const BIN = `${REPO}/packages/cli/bin/planspec.js`
const work = mkdtempSync(join(tmpdir(), 'planspec-terminal-'))
// A `planspec` on PATH, as an installed one would be.
writeFileSync(join(work, 'planspec'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
chmodSync(join(work, 'planspec'), 0o755)
const PATH = `${work}:${process.env.PATH ?? ''}`
const sockets: string[] = []

function tmux(socket: string, ...args: string[]): string {
  const result = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
  if (result.error) throw result.error
  return result.stdout
}

/** Starts a shell in a fresh tmux server, with PATH reaching `planspec`. */
function session(shell: string[]): string {
  const socket = `planspec-${randomUUID()}`
  sockets.push(socket)
  tmux(socket, 'new-session', '-d', '-s', 's', '-x', '160', '-y', '40', ...shell)
  // Set in the shell itself: a shell may rebuild PATH from the environment tmux hands it.
  tmux(socket, 'send-keys', '-t', 's', shell[0] === 'fish' ? `set -gx PATH ${work} $PATH; set -gx HOME ${work}` : `export PATH="${PATH}" HOME="${work}"`, 'Enter')
  return socket
}

/** Polls the screen until `pattern` shows (or fails with the last screen). */
async function screen(socket: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let text = ''
  while (Date.now() < deadline) {
    text = tmux(socket, 'capture-pane', '-p', '-t', 's')
    if (pattern.test(text)) return text
    await new Promise((done) => setTimeout(done, 100))
  }
  throw new Error(`screen never showed ${pattern}:\n${text}`)
}

/** A server that accepts connections and never answers: what a hung API server looks like. */
let hung: Server
let hungUrl = ''
const connections: Socket[] = []
beforeAll(async () => {
  hung = createServer((socket) => connections.push(socket))
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve))
  hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`
})
afterEach(() => {
  for (const socket of sockets.splice(0)) spawnSync('tmux', ['-L', socket, 'kill-server'])
})
afterAll(async () => {
  for (const socket of connections) socket.destroy()
  await new Promise<void>((resolve) => hung.close(() => resolve()))
  rmSync(work, { recursive: true, force: true })
})

describe('shell completion', () => {
  it('completes commands, kinds and flags in bash', async () => {
    const socket = session(['bash', '--norc', '--noprofile'])
    tmux(socket, 'send-keys', '-t', 's', 'source <(planspec completion bash) && echo SOURCED', 'Enter')
    await screen(socket, /^SOURCED/m)
    tmux(socket, 'send-keys', '-t', 's', 'planspec vali', 'Tab')
    await screen(socket, /planspec validate\s*$/m)
    tmux(socket, 'send-keys', '-t', 's', 'C-u', 'planspec get execu', 'Tab')
    await screen(socket, /planspec get executions\s*$/m)
    tmux(socket, 'send-keys', '-t', 's', ' --all-n', 'Tab') // (a leading "-" would be a tmux flag)
    await screen(socket, /planspec get executions\s+--all-namespaces\s*$/m)
    tmux(socket, 'send-keys', '-t', 's', 'C-u', 'planspec config use-c', 'Tab')
    await screen(socket, /planspec config use-context\s*$/m)
  }, 180_000)

  it('completes commands and kinds in zsh', async () => {
    const socket = session(['zsh', '-f'])
    tmux(socket, 'send-keys', '-t', 's', 'autoload -U compinit && compinit -u && source <(planspec completion zsh) && echo SOURCED', 'Enter')
    await screen(socket, /^SOURCED/m)
    tmux(socket, 'send-keys', '-t', 's', 'planspec vali', 'Tab')
    await screen(socket, /planspec validate\s*$/m)
    tmux(socket, 'send-keys', '-t', 's', 'C-u', 'planspec wait gat', 'Tab')
    await screen(socket, /planspec wait gates\s*$/m)
  }, 180_000)

  it('completes commands and flags in fish', async () => {
    const socket = session(['fish', '--no-config'])
    tmux(socket, 'send-keys', '-t', 's', 'planspec completion fish | source; and echo SOURCED', 'Enter')
    await screen(socket, /^SOURCED/m)
    tmux(socket, 'send-keys', '-t', 's', 'planspec vali', 'Tab')
    await screen(socket, /planspec validate\s*$/m)
    tmux(socket, 'send-keys', '-t', 's', 'C-u', 'planspec serve --insecure-h', 'Tab')
    await screen(socket, /planspec serve --insecure-http\s*$/m)
  }, 180_000)
})

describe('Ctrl-C and timeouts', () => {
  it.each([
    ['get', ['get', 'goals']],
    ['watch', ['watch', 'executions']],
    ['wait', ['wait', 'execution', 'release-1', '--for=phase=Succeeded']],
    ['apply', ['apply', '-f', 'examples/minimal']],
    ['logs -f', ['logs', 'release-1', '-f']],
  ])('stops %s against a hung server at once, exit 130', async (_name, args) => {
    const socket = session(['bash', '--norc', '--noprofile'])
    const before = connections.length
    tmux(socket, 'send-keys', '-t', 's', `cd ${REPO} && planspec ${args.join(' ')} --server ${hungUrl} --request-timeout 10m; echo "EXIT=$?"`, 'Enter')
    // The request is in flight (the server holds the connection) before Ctrl-C.
    const deadline = Date.now() + 60_000
    while (connections.length === before && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50))
    expect(connections.length).toBeGreaterThan(before)
    tmux(socket, 'send-keys', '-t', 's', 'C-c')
    const shown = await screen(socket, /EXIT=\d+/, 10_000)
    expect(shown).toMatch(/EXIT=130/)
    expect(shown).not.toMatch(/at .*\.mjs:\d+/) // no stack trace
  })

  it('fails a request the server does not answer in time, naming the URL', async () => {
    const result = spawnSync(process.execPath, [BIN, 'get', 'goals', '--server', hungUrl, '--request-timeout', '1s'], { encoding: 'utf8', env: { PATH: process.env.PATH } })
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(`error: cannot reach ${hungUrl}/apis/planspec.io/v1alpha1/goals: no answer within 1s (--request-timeout)\n`)
    const bad = await cli(['get', 'goals', '--server', hungUrl, '--request-timeout', 'soon'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--request-timeout must be a duration')
  })
})

describe('did you mean', () => {
  it('suggests the command and the kind that were meant', async () => {
    const command = await cli(['valdate'])
    expect(command.code).toBe(2)
    expect(command.stderr).toContain('(Did you mean validate?)')
    const kind = await cli(['get', 'exectuions', '--server', hungUrl])
    expect(kind.code).toBe(2)
    expect(kind.stderr).toContain('unknown kind "exectuions" (did you mean "executions"?)')
  })
})
