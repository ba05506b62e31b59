import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { blockingFailures, runAcceptanceCriteria, type AcceptanceCriterion, type AcceptanceDeps } from '../src/index.js'
import { NODE, tempDir } from './helpers.js'
import { json, startServer, type LoopbackServer } from './loopback-server.js'

let server: LoopbackServer
let deps: AcceptanceDeps
let outside: string

beforeEach(async () => {
  server = await startServer()
  const root = await tempDir()
  const workspace = join(root, 'ws')
  outside = join(root, 'outside-secret.txt')
  await mkdir(join(workspace, 'out'), { recursive: true })
  await writeFile(join(workspace, 'report.txt'), 'tests: 12\ncoverage: 93%\n')
  await writeFile(outside, 'coverage: 93%\n')
  await symlink(outside, join(workspace, 'leak.txt'))
  await symlink(join(workspace, 'report.txt'), join(workspace, 'alias.txt'))
  deps = {
    workspace,
    policy: { allowCommands: [NODE], allowUrls: [`http://127.0.0.1:${server.port}/*`], allowPrivateNetworks: true },
  }
})
afterEach(async () => {
  await server.close()
})

async function verdicts(criteria: AcceptanceCriterion[], override: Partial<AcceptanceDeps> = {}) {
  const results = await runAcceptanceCriteria(criteria, { ...deps, ...override })
  return results.map((r) => ({ id: r.id, passed: r.passed, reason: r.reason }))
}

describe('runAcceptanceCriteria', () => {
  it('artifact_exists passes for files inside the workspace, with and without contentMatch', async () => {
    expect(
      await verdicts([
        { id: 'exists', type: 'artifact_exists', name: 'report', path: 'report.txt' },
        { id: 'dir', type: 'artifact_exists', name: 'dir', path: 'out' },
        { id: 'match', type: 'artifact_exists', name: 'coverage', path: 'report.txt', contentMatch: 'coverage: 9\\d%' },
        { id: 'inner-link', type: 'artifact_exists', name: 'alias', path: './out/../alias.txt', contentMatch: 'tests' },
      ]),
    ).toEqual([
      { id: 'exists', passed: true, reason: undefined },
      { id: 'dir', passed: true, reason: undefined },
      { id: 'match', passed: true, reason: undefined },
      { id: 'inner-link', passed: true, reason: undefined },
    ])
  })

  it('artifact_exists fails on missing paths, mismatches, directories and every escape', async () => {
    expect(
      await verdicts([
        { id: 'missing', type: 'artifact_exists', name: 'x', path: 'nope.txt' },
        { id: 'nomatch', type: 'artifact_exists', name: 'x', path: 'report.txt', contentMatch: 'coverage: 100%' },
        { id: 'notfile', type: 'artifact_exists', name: 'x', path: 'out', contentMatch: '.' },
        { id: 'dotdot', type: 'artifact_exists', name: 'x', path: '../outside-secret.txt' },
        { id: 'absolute', type: 'artifact_exists', name: 'x', path: outside },
        { id: 'symlink', type: 'artifact_exists', name: 'x', path: 'leak.txt', contentMatch: 'coverage' },
        { id: 'badregex', type: 'artifact_exists', name: 'x', path: 'report.txt', contentMatch: '(' },
      ]),
    ).toEqual([
      { id: 'missing', passed: false, reason: 'NotFound' },
      { id: 'nomatch', passed: false, reason: 'NoMatch' },
      { id: 'notfile', passed: false, reason: 'NotAFile' },
      { id: 'dotdot', passed: false, reason: 'PathEscape' },
      { id: 'absolute', passed: false, reason: 'PathEscape' },
      { id: 'symlink', passed: false, reason: 'PathEscape' },
      { id: 'badregex', passed: false, reason: 'InvalidCriterion' },
    ])
  })

  it('matches every pattern on a linear-time RE2 engine: catastrophic patterns answer at once, RE2-only syntax is enforced', async () => {
    await writeFile(join(deps.workspace, 'evil.txt'), `${'a'.repeat(50)}!`)
    const hostile = `${'a'.repeat(50)}!`
    expect(
      await verdicts([
        // On a backtracking engine each of these takes ~2^50 steps (the frozen server).
        { id: 'content', type: 'artifact_exists', name: 'x', path: 'evil.txt', contentMatch: '^(a+)+$' },
        { id: 'output', type: 'command_succeeds', name: 'c', command: NODE, args: ['-e', `console.log(${JSON.stringify(hostile)})`], outputMatch: '^(a|aa)+$' },
        { id: 'found', type: 'artifact_exists', name: 'x', path: 'evil.txt', contentMatch: '(a+)+!' },
        { id: 'lookahead', type: 'artifact_exists', name: 'x', path: 'evil.txt', contentMatch: 'a(?=!)' },
        { id: 'backref', type: 'artifact_exists', name: 'x', path: 'evil.txt', contentMatch: '(a)\\1' },
      ]),
    ).toEqual([
      { id: 'content', passed: false, reason: 'NoMatch' },
      { id: 'output', passed: false, reason: 'NoMatch' },
      { id: 'found', passed: true, reason: undefined },
      { id: 'lookahead', passed: false, reason: 'InvalidCriterion' },
      { id: 'backref', passed: false, reason: 'InvalidCriterion' },
    ])
  })

  it('test_passes and command_succeeds run argv without a shell and check exit code and stdout', async () => {
    expect(
      await verdicts([
        { id: 'pass', type: 'test_passes', name: 't', command: NODE, args: ['-e', 'process.exit(0)'] },
        { id: 'exit2', type: 'test_passes', name: 't', command: NODE, args: ['-e', 'process.exit(2)'] },
        { id: 'expect2', type: 'test_passes', name: 't', command: NODE, args: ['-e', 'process.exit(2)'], expectedExitCode: 2 },
        { id: 'out', type: 'command_succeeds', name: 'c', command: NODE, args: ['-e', 'console.log("all good")'], outputMatch: '^all good' },
        { id: 'noout', type: 'command_succeeds', name: 'c', command: NODE, args: ['-e', 'console.log("meh")'], outputMatch: 'good' },
        { id: 'shell', type: 'command_succeeds', name: 'c', command: '/bin/sh', args: ['-c', 'true'] },
        { id: 'slow', type: 'command_succeeds', name: 'c', command: NODE, args: ['-e', 'setTimeout(() => {}, 10000)'], timeout: '300ms' },
        { id: 'baddur', type: 'command_succeeds', name: 'c', command: NODE, timeout: '7d' },
      ]),
    ).toEqual([
      { id: 'pass', passed: true, reason: undefined },
      { id: 'exit2', passed: false, reason: 'ExitCode' },
      { id: 'expect2', passed: true, reason: undefined },
      { id: 'out', passed: true, reason: undefined },
      { id: 'noout', passed: false, reason: 'NoMatch' },
      { id: 'shell', passed: false, reason: 'NotAllowed' },
      { id: 'slow', passed: false, reason: 'Timeout' },
      { id: 'baddur', passed: false, reason: 'InvalidCriterion' },
    ])
  })

  it('endpoint_responds checks status and body through the vetted client', async () => {
    server.handle((req, res) => (req.url === '/health' ? json(res, 200, { status: 'healthy' }) : json(res, 404, {})))
    const base = `http://127.0.0.1:${server.port}`
    expect(
      await verdicts([
        { id: 'ok', type: 'endpoint_responds', name: 'e', url: `${base}/health`, bodyMatch: 'healthy' },
        { id: 'status', type: 'endpoint_responds', name: 'e', url: `${base}/health`, expectedStatus: 204 },
        { id: 'body', type: 'endpoint_responds', name: 'e', url: `${base}/health`, bodyMatch: 'sick' },
        { id: 'missing', type: 'endpoint_responds', name: 'e', url: `${base}/other`, expectedStatus: 404, method: 'HEAD' },
        { id: 'offlist', type: 'endpoint_responds', name: 'e', url: 'http://127.0.0.2/health' },
      ]),
    ).toEqual([
      { id: 'ok', passed: true, reason: undefined },
      { id: 'status', passed: false, reason: 'StatusMismatch' },
      { id: 'body', passed: false, reason: 'NoMatch' },
      { id: 'missing', passed: true, reason: undefined },
      { id: 'offlist', passed: false, reason: 'NotAllowed' },
    ])
    const refused = await verdicts([{ id: 'ssrf', type: 'endpoint_responds', name: 'e', url: `${base}/health` }], {
      policy: { ...deps.policy, allowPrivateNetworks: false },
    })
    expect(refused).toEqual([{ id: 'ssrf', passed: false, reason: 'Refused' }])
    expect(server.received.filter((r) => r.url === '/health')).toHaveLength(3)
  })

  it('custom posts the payload and checks every expected property', async () => {
    server.handle((req, res) => json(res, 200, { valid: JSON.parse(req.body).release === '1.2.3' }))
    const webhookUrl = `http://127.0.0.1:${server.port}/validate`
    expect(
      await verdicts([
        { id: 'ok', type: 'custom', name: 'c', webhookUrl, payload: { release: '1.2.3' }, expectedResponse: { statusCode: 200, bodyMatch: '"valid":true' } },
        { id: 'body', type: 'custom', name: 'c', webhookUrl, payload: { release: '0.0.1' }, expectedResponse: { bodyMatch: '"valid":true' } },
        { id: 'status', type: 'custom', name: 'c', webhookUrl, expectedResponse: { statusCode: 201 } },
      ]),
    ).toEqual([
      { id: 'ok', passed: true, reason: undefined },
      { id: 'body', passed: false, reason: 'NoMatch' },
      { id: 'status', passed: false, reason: 'StatusMismatch' },
    ])
    expect(server.received[0]).toMatchObject({ method: 'POST', body: '{"release":"1.2.3"}' })
  })

  it('reports optional failures without blocking, derives ids, and redacts messages', async () => {
    const results = await runAcceptanceCriteria(
      [
        { type: 'artifact_exists', name: 'advisory', path: 'nope-canary-secret.txt', required: false },
        { type: 'artifact_exists', name: 'needed', path: 'report.txt' },
      ],
      { ...deps, secrets: ['canary-secret'] },
    )
    expect(results.map((r) => [r.id, r.required, r.passed])).toEqual([
      ['criterion-0', false, false],
      ['criterion-1', true, true],
    ])
    expect(results[0]?.message).not.toContain('canary-secret')
    expect(blockingFailures(results)).toEqual([])
  })
})
