#!/usr/bin/env node
// `npm start`: the product's main job, end to end, on embedded defaults. It validates the example
// repositories, builds a local git repository from examples/minimal (with isomorphic-git: no
// other tool needed), starts the sync agent on it, waits until the Execution stops at its approval
// gate, approves the gate the way a reviewer does (a request file on the status branch), and
// waits until the agent has run the plan to completion, then shows the status it wrote to git and
// ends by printing the URL of the agent's read-only dashboard of the run.
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { PassThrough } from 'node:stream'
import git from 'isomorphic-git'
import { runCli } from '@planspec/cli'

const ROOT = new URL('..', import.meta.url).pathname
const EXECUTION = 'changelog-2025-w10'
const io = (overrides = {}) => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: ROOT, env: process.env, ...overrides })

async function step(argv) {
  process.stdout.write(`\n$ planspec ${argv.join(' ')}\n`)
  const code = await runCli(argv, io())
  if (code !== 0) fail(`step failed with exit code ${code}`)
}

/** Runs a command quietly and returns its stdout (for polling). */
async function capture(argv) {
  const stdout = new PassThrough()
  let text = ''
  stdout.on('data', (chunk) => (text += chunk))
  const code = await runCli(argv, io({ stdout, stderr: new PassThrough() }))
  return code === 0 ? text : undefined
}

function fail(message) {
  process.stdout.write(`\n${message}\n`)
  process.exit(1)
}

async function waitForPhase(repo, phases, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const text = await capture(['get', 'execution', EXECUTION, '--repo', repo, '-o', 'json'])
    const phase = text ? JSON.parse(text).status?.phase : undefined
    if (phases.includes(phase)) return phase
    await new Promise((done) => setTimeout(done, 250))
  }
  fail(`timed out waiting for the execution to become ${phases.join(' or ')}`)
}

/** Builds a local git repository holding the minimal example, committed by its author. */
async function buildDemoRepository() {
  const dir = mkdtempSync(join(tmpdir(), 'planspec-demo-'))
  await git.init({ fs, dir, defaultBranch: 'main' })
  const source = join(ROOT, 'examples/minimal')
  const walk = (from) => fs.readdirSync(from, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(from, e.name)) : [join(from, e.name)]))
  for (const file of walk(source).filter((f) => /\.ya?ml$/.test(f))) {
    const path = relative(source, file)
    fs.mkdirSync(join(dir, path, '..'), { recursive: true })
    fs.copyFileSync(file, join(dir, path))
    await git.add({ fs, dir, filepath: path })
  }
  await git.commit({ fs, dir, message: 'Add the weekly changelog plan', author: { name: 'Ann Author', email: 'ann@example.com' } })
  return dir
}

/** A free loopback port for the agent's listener (the dashboard). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

await step(['validate', 'examples/minimal', '--closed'])
await step(['validate', 'examples/google-sso', '--closed'])
await step(['validate', 'examples/multi-team', '--closed'])
await step(['graph', 'examples/minimal', '--plan', 'publish-changelog'])

const repo = await buildDemoRepository()
const teams = join(repo, '..', `${repo.split('/').pop()}-teams.yaml`)
writeFileSync(teams, '# Who belongs to the teams that Gates name as reviewers.\nteam:acme/editors: [email:editor@example.com]\n')
process.stdout.write(`\nA local git repository with the example: ${repo}\n`)

// The read-only dashboard takes a bearer token like the API server: one for this demo, 0600.
const viewToken = randomBytes(18).toString('base64url')
const tokens = join(repo, '..', `${repo.split('/').pop()}-tokens.csv`)
writeFileSync(tokens, `${viewToken},demo-viewer\n`, { mode: 0o600 })
const listen = `127.0.0.1:${await freePort()}`

const stop = new AbortController()
const agentArgv = ['agent', '--repo', repo, '--interval', '1s', '--teams', teams, '--listen', listen, '--tokens', tokens]
process.stdout.write(`\n$ planspec ${agentArgv.join(' ')} &\n`)
const agent = runCli(agentArgv, io({ signal: stop.signal }))

await waitForPhase(repo, ['Blocked'], 60_000)
await step(['get', 'executions', '--repo', repo])
await step(['approve', 'changelog-approval', '--repo', repo, '--author', 'Eddie Editor <editor@example.com>', '--comment', 'The draft reads well.'])
const phase = await waitForPhase(repo, ['Succeeded', 'Failed', 'Cancelled'], 60_000)
await step(['get', 'executions', '--repo', repo])
await step(['describe', 'execution', EXECUTION, '--repo', repo])
if (phase !== 'Succeeded') {
  stop.abort()
  await agent
  fail(`the execution ended ${phase}`)
}
// The token travels in the URL fragment, which browsers never send to a server; the page keeps it
// in the tab's session storage and clears it from the address bar.
const dashboard = `http://${listen}/#token=${viewToken}`
// In a terminal the agent keeps serving the dashboard until Ctrl-C; elsewhere (CI) it stops after
// PLANSPEC_DEMO_SERVE_SECONDS (default 0).
const interactive = process.stdout.isTTY && process.stdin.isTTY
const serveSeconds = Number(process.env.PLANSPEC_DEMO_SERVE_SECONDS ?? 0)
process.stdout.write(`\nDone: the agent ran the plan to completion with its gate approved; the status is on branch planspec/status of ${repo}.\nTry: npx planspec --help\n`)
process.stdout.write(interactive ? '\nThe agent keeps serving its read-only dashboard until Ctrl-C.\n' : serveSeconds > 0 ? `\nThe agent serves its read-only dashboard for ${serveSeconds} s.\n` : '\nNot a terminal: the agent stops now (set PLANSPEC_DEMO_SERVE_SECONDS to keep the dashboard up).\n')
process.stdout.write(`Dashboard of the demo run (read-only): ${dashboard}\n`)
if (interactive) process.once('SIGINT', () => stop.abort())
else setTimeout(() => stop.abort(), serveSeconds * 1000)
await agent
