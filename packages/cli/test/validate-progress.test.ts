// Progress of a long validation on a terminal (issue 14): more than ~200 files, stderr a TTY (tmux
// gives the bundled binary one), a count and percentage updated in place, erased at the end; a
// piped run's stderr has none.
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { REPO } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const FILES = 4000
const root = mkdtempSync(join(tmpdir(), 'planspec-progress-'))
const dir = join(root, 'plans')
mkdirSync(dir)
for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `goal-${i}.yaml`), `apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: goal-${i}\nspec:\n  description: Goal number ${i}\n`)
const socket = `planspec-${randomUUID()}`
afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server'])
})

const screen = (): string => spawnSync('tmux', ['-L', socket, 'capture-pane', '-p', '-t', 's'], { encoding: 'utf8' }).stdout

describe('validate progress', () => {
  it('shows a count and percentage on a terminal during a large run, and erases it at the end', async () => {
    const script = join(root, 'validate.sh')
    // One thread: the run takes long enough on any machine for the screen to be read during it.
    writeFileSync(script, `clear\n'${process.execPath}' '${BIN}' validate '${dir}' --jobs 1 > '${join(root, 'report.txt')}'\necho "EXIT=$?"\n`)
    spawnSync('tmux', ['-L', socket, 'new-session', '-d', '-s', 's', '-x', '120', '-y', '20', 'bash', '--norc', '--noprofile'])
    spawnSync('tmux', ['-L', socket, 'send-keys', '-t', 's', `bash ${script}`, 'Enter'])
    const seen: string[] = []
    await vi.waitFor(() => {
      const text = screen()
      const progress = /validating (\d+)\/4000 files \((\d+)%\)/.exec(text)
      if (progress) seen.push(progress[0])
      expect(text).toMatch(/EXIT=\d+/)
    }, { timeout: 300_000, interval: 50 })
    const last = screen()
    expect(last).toMatch(/EXIT=0/)
    // Seen during the run, counting up; gone from the screen once it ended.
    expect(seen.length).toBeGreaterThan(0)
    const counts = seen.map((line) => Number(/(\d+)\//.exec(line)![1]))
    expect(counts.every((n) => n > 0 && n <= FILES)).toBe(true)
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
    expect(last).not.toContain('validating')
    expect(readFileSync(join(root, 'report.txt'), 'utf8')).not.toContain('validating')
  }, 600_000)

  it('writes none when stderr is a pipe', () => {
    const piped = spawnSync(process.execPath, [BIN, 'validate', dir], { encoding: 'utf8', timeout: 300_000 })
    expect(piped.status).toBe(0)
    expect(piped.stderr).toBe('')
  }, 600_000)
})
