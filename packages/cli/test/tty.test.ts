import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { REPO } from './helpers.js'

// `planspec run` on a real terminal: tmux gives the process a pty, answers its prompt with
// send-keys and reads the screen with capture-pane. tmux is installed by .ci/run.

const BIN = `${REPO}/packages/cli/bin/planspec.js`
const sockets: string[] = []

function tmux(socket: string, ...args: string[]): string {
  const result = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
  if (result.error) throw result.error
  return result.stdout
}

/** Polls the screen until `pattern` shows (or fails with the last screen). */
async function waitForScreen(socket: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let screen = ''
  while (Date.now() < deadline) {
    screen = tmux(socket, 'capture-pane', '-p', '-t', 'run')
    if (pattern.test(screen)) return screen
    await new Promise((done) => setTimeout(done, 100))
  }
  throw new Error(`screen never showed ${pattern}:\n${screen}`)
}

afterEach(() => {
  for (const socket of sockets.splice(0)) spawnSync('tmux', ['-L', socket, 'kill-server'])
})

describe('planspec run on a terminal', () => {
  it('draws a live node table in place, asks to approve the gate, and finishes the run', async () => {
    const socket = `planspec-${randomUUID()}`
    sockets.push(socket)
    const command = `cd ${REPO} && node ${BIN} run examples/minimal --execution changelog-2025-w10; echo "EXIT=$?"; sleep 60`
    tmux(socket, 'new-session', '-d', '-s', 'run', '-x', '120', '-y', '40', command)

    const asking = await waitForScreen(socket, /Approve gate "changelog-approval"\? \[y\/N\]/)
    expect(asking).toMatch(/^NODE\s+KIND\s+PHASE\s+ATTEMPT\s+REASON\s+TOOK$/m)
    expect(asking).toMatch(/^draft\s+task\s+Succeeded\s+1/m)
    expect(asking).toMatch(/^editor-approval\s+gate\s+Blocked\s+AwaitingApproval/m)
    expect(asking).toMatch(/^publish\s+task\s+Pending/m)

    tmux(socket, 'send-keys', '-t', 'run', 'y', 'Enter')
    const done = await waitForScreen(socket, /EXIT=\d+/)
    expect(done).toMatch(/EXIT=0/)
    expect(done).toMatch(/^editor-approval\s+gate\s+Succeeded/m)
    expect(done).toMatch(/^publish\s+task\s+Succeeded\s+1/m)
    expect(done).toMatch(/^phase: Succeeded \(Succeeded\)$/m)
    // Redrawn in place: one table on screen, not one per transition, and no stale prompt.
    expect(done.match(/^NODE\s+KIND/gm)).toHaveLength(1)
    expect(done.match(/^execution changelog-2025-w10 \(plan publish-changelog\)$/gm)).toHaveLength(1)
    expect(done).not.toMatch(/Approve gate/)
  })

  it('fails the run when the gate is refused at the prompt', async () => {
    const socket = `planspec-${randomUUID()}`
    sockets.push(socket)
    const command = `cd ${REPO} && node ${BIN} run examples/minimal --execution changelog-2025-w10; echo "EXIT=$?"; sleep 60`
    tmux(socket, 'new-session', '-d', '-s', 'run', '-x', '120', '-y', '40', command)
    await waitForScreen(socket, /Approve gate "changelog-approval"\?/)
    tmux(socket, 'send-keys', '-t', 'run', 'n', 'Enter')
    const done = await waitForScreen(socket, /EXIT=\d+/)
    expect(done).toMatch(/EXIT=1/)
    expect(done).toMatch(/^editor-approval\s+gate\s+Failed\s+GateRejected/m)
    expect(done).toMatch(/^publish\s+task\s+(Skipped|Cancelled)/m)
  })
})
