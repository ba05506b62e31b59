#!/usr/bin/env node
// `npm start`: the product's main job, end to end, on embedded defaults. It validates the example
// repositories, builds a local git repository from examples/minimal (with isomorphic-git) and an
// SSH signing key for the demo reviewer (ssh-keygen) listed in the repository's
// .planspec/allowed-signers, starts the sync agent on it, waits until the Execution stops at its
// approval gate, approves the gate the way a reviewer does (a signed request commit on the status
// branch), shows git verifying that signature, and waits until the agent has run the plan to
// completion, then shows the status it wrote to git and ends by printing the URL of the agent's
// read-only dashboard of the run.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { PassThrough } from 'node:stream'
import git from 'isomorphic-git'
import { runCli } from '@planspec/cli'

const ROOT = new URL('..', import.meta.url).pathname
const EXECUTION = 'changelog-2025-w10'
const REVIEWER = { name: 'Eddie Editor', email: 'editor@example.com' }
const demo = mkdtempSync(join(tmpdir(), 'planspec-demo-home-'))
// The demo never touches your own git config or agent key: a private git config holds the demo
// reviewer's identity and signing key, and the agents' key comes from the environment.
const env = { ...process.env, GIT_CONFIG_GLOBAL: join(demo, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1', PLANSPEC_AGENT_KEY: randomBytes(32).toString('base64'), XDG_STATE_HOME: join(demo, 'state') }
delete env.GIT_AUTHOR_NAME
delete env.GIT_AUTHOR_EMAIL
const io = (overrides = {}) => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: ROOT, env, ...overrides })

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

/** Runs a program with argv (never a shell) and returns its output; stops the demo when it fails. */
function run(program, args, options = {}) {
  const result = spawnSync(program, args, { encoding: 'utf8', env, ...options })
  if (result.status !== 0) fail(`${program} ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`)
  return `${result.stdout}${result.stderr}`
}

/** Makes the demo reviewer's SSH signing key and a git config that signs with it, as `git commit -S` would. */
function createReviewerKey() {
  const key = join(demo, 'editor_ed25519')
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', REVIEWER.email, '-f', key])
  writeFileSync(env.GIT_CONFIG_GLOBAL, `[user]\n\tname = ${REVIEWER.name}\n\temail = ${REVIEWER.email}\n\tsigningKey = ${key}\n[gpg]\n\tformat = ssh\n`)
  return { key, allowedSigner: `${REVIEWER.email} ${readFileSync(`${key}.pub`, 'utf8').trim()}\n` }
}

/** Builds a local git repository holding the minimal example and who may sign requests, committed by its author. */
async function buildDemoRepository(allowedSigners) {
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
  // Who may sign requests (git's allowedSignersFile format): changes to it are reviewed like any manifest.
  fs.mkdirSync(join(dir, '.planspec'), { recursive: true })
  writeFileSync(join(dir, '.planspec/allowed-signers'), `# Request signers: e-mail, then SSH public key\n${allowedSigners}`)
  await git.add({ fs, dir, filepath: '.planspec/allowed-signers' })
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
await step(['validate', 'examples/ai-agents', '--closed'])
await step(['graph', 'examples/minimal', '--plan', 'publish-changelog'])

const reviewer = createReviewerKey()
const repo = await buildDemoRepository(reviewer.allowedSigner)
const teams = join(repo, '..', `${repo.split('/').pop()}-teams.yaml`)
writeFileSync(teams, '# Who belongs to the teams that Gates name as reviewers.\nteam:acme/editors: [email:editor@example.com]\n')
process.stdout.write(`\nA local git repository with the example: ${repo}\nThe demo reviewer ${REVIEWER.email} signs with ${reviewer.key} (gpg.format ssh); .planspec/allowed-signers lists that key for that e-mail.\n`)

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
await step(['approve', 'changelog-approval', '--repo', repo, '--comment', 'The draft reads well.', '--wait', '60s'])
// The approval is a commit signed like `git commit -S`: git itself verifies it against the same allowed-signers file.
const approvalCommit = run('git', ['-C', repo, 'rev-list', '-1', 'planspec/status', '--', 'requests']).trim()
process.stdout.write(`\n$ git -c gpg.ssh.allowedSignersFile=.planspec/allowed-signers verify-commit ${approvalCommit.slice(0, 12)}\n`)
writeFileSync(join(demo, 'allowed-signers'), reviewer.allowedSigner)
process.stdout.write(run('git', ['-C', repo, '-c', `gpg.ssh.allowedSignersFile=${join(demo, 'allowed-signers')}`, 'verify-commit', approvalCommit]))
const phase = await waitForPhase(repo, ['Succeeded', 'Failed', 'Cancelled'], 60_000)
await step(['get', 'executions', '--repo', repo])
await step(['describe', 'execution', EXECUTION, '--repo', repo])
await step(['describe', 'gate', 'changelog-approval', '--repo', repo])
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
