import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRedactor } from '@planspec/core'
import { createProviders } from '../src/index.js'
import { EXEC_CHILD, NODE, countingSpawn, eventually, isAlive, request, tempDir } from './helpers.js'

const policy = { allowCommands: [NODE], allowUrls: [] }

describe('exec provider', () => {
  it('takes outputs from the last non-empty stdout line and feeds inputs on stdin and env', async () => {
    const workspace = await tempDir()
    const providers = createProviders({ policy })
    const result = await providers.dispatch(
      request({
        workspace,
        config: { command: [NODE, EXEC_CHILD, 'last-line'] },
        inputs: { name: 'web', count: 3 },
        declaredOutputs: ['stdin', 'name', 'count'],
      }),
    )
    expect(result).toEqual({
      outcome: 'succeeded',
      outputs: { stdin: { name: 'web', count: 3 }, name: 'web', count: '3' },
      message: 'UndeclaredOutput: dropped extra',
      output: { stdout: expect.objectContaining({ truncated: false }), stderr: { text: '', bytes: 0, truncated: false } },
    })
  })

  it('prefers the JSON object written to $PLANSPEC_OUTPUTS', async () => {
    const workspace = await tempDir()
    const result = await createProviders({ policy }).dispatch(
      request({ workspace, provider: 'tool://x', config: { command: [NODE, EXEC_CHILD, 'outputs-file'] }, declaredOutputs: ['result'] }),
    )
    expect(result).toEqual({ outcome: 'succeeded', outputs: { result: 'from-file' }, output: expect.objectContaining({ stdout: expect.objectContaining({ truncated: false }) }) })
  })

  it('does not follow a symlink planted at $PLANSPEC_OUTPUTS', async () => {
    const workspace = await tempDir()
    const result = await createProviders({ policy }).dispatch(
      request({ workspace, config: { command: [NODE, EXEC_CHILD, 'outputs-symlink'] }, declaredOutputs: ['stolen'] }),
    )
    expect(result).toMatchObject({ outcome: 'failed', reason: 'InvalidOutput' })
  })

  it('runs in the workspace with an explicit environment: PATH, LANG, HOME = workspace, and what the Binding names', async () => {
    const workspace = await tempDir()
    const env = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/home/x', AWS_SECRET_ACCESS_KEY: 'nope', PLANSPEC_GIT_TOKEN: 'git-token-value', PLANSPEC_TOKEN_FILE: '/t', DEPLOY_REGION: 'eu', DEPLOY_KEY: 'deploy-key-value', OTHER: 'o' }
    const redactor = createRedactor()
    const providers = createProviders({ policy: { ...policy, allowEnv: ['DEPLOY_*'] }, env, redactor })
    const bindingEnv = { REGION: { fromEnv: 'DEPLOY_REGION' }, KEY: { fromEnv: 'DEPLOY_KEY' }, MODE: 'fast', HIDDEN: { value: 'literal-secret', secret: true }, MISSING: { fromEnv: 'DEPLOY_UNSET' } }
    const result = await providers.dispatch(request({ workspace, config: { command: [NODE, EXEC_CHILD, 'env'], env: bindingEnv }, declaredOutputs: ['env'] }))
    if (result.outcome !== 'succeeded') throw new Error(JSON.stringify(result))
    const childEnv = result.outputs['env'] as Record<string, string>
    expect(Object.keys(childEnv).filter((k) => !k.startsWith('PLANSPEC_')).sort()).toEqual(['HIDDEN', 'HOME', 'KEY', 'LANG', 'MODE', 'PATH', 'REGION'])
    expect(childEnv).toMatchObject({ PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: workspace, REGION: 'eu', KEY: 'deploy-key-value', MODE: 'fast' })
    expect(Object.keys(childEnv).filter((k) => k.startsWith('PLANSPEC_')).sort()).toEqual(['PLANSPEC_ATTEMPT', 'PLANSPEC_NODE', 'PLANSPEC_OUTPUTS', 'PLANSPEC_RUN_ID'])
    expect(childEnv['PLANSPEC_RUN_ID']).toBe('uid-1/build/1')
    // The values a Binding hands over as secrets are masked from then on, everywhere.
    expect(redactor.redact('deploy-key-value literal-secret eu')).toBe('[REDACTED] [REDACTED] eu')
    const argvResult = await createProviders({ policy }).dispatch(
      request({ workspace, config: { command: [NODE, EXEC_CHILD, 'argv'] }, declaredOutputs: ['cwd'] }),
    )
    expect(argvResult).toMatchObject({ outcome: 'succeeded', outputs: { cwd: workspace } })
  })

  it.each([
    ['a variable off the env allow-list', { TOKEN: { fromEnv: 'OTHER' } }, 'NotAllowed'],
    ["the agent's own git token", { TOKEN: { fromEnv: 'PLANSPEC_GIT_TOKEN' } }, 'NotAllowed'],
    ['a product variable as target', { PLANSPEC_RUN_ID: 'x' }, 'InvalidConfig'],
    ['HOME', { HOME: '/etc' }, 'InvalidConfig'],
    ['a bad shape', { A: 1 }, 'InvalidConfig'],
    ['a bad secret flag', { A: { value: 'x', secret: 'yes' } }, 'InvalidConfig'],
    ['a list naming a variable off the allow-list', ['OTHER'], 'NotAllowed'],
    ['not a list or map', 'PATH', 'InvalidConfig'],
  ])('refuses a Binding env naming %s, starting nothing', async (_what, bindingEnv, reason) => {
    const workspace = await tempDir()
    const { spawn, calls } = countingSpawn()
    const env = { PATH: '/usr/bin', OTHER: 'o', PLANSPEC_GIT_TOKEN: 'git-token-value' }
    const result = await createProviders({ policy: { ...policy, allowEnv: ['DEPLOY_*', 'PLANSPEC_*'] }, env, spawn }).dispatch(request({ workspace, config: { command: [NODE, EXEC_CHILD, 'env'], env: bindingEnv } }))
    expect(result).toMatchObject({ outcome: 'failed', reason })
    expect(JSON.stringify(result)).not.toContain('git-token-value')
    expect(calls()).toBe(0)
  })

  it('passes argv byte for byte and never runs a shell (fuzz)', async () => {
    const workspace = await tempDir()
    const canary = join(workspace, 'canary')
    const providers = createProviders({ policy })
    const hostile = fc.constantFrom(
      `; touch ${canary}`,
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `| touch ${canary}`,
      `&& touch ${canary}`,
      `\ntouch ${canary}\n`,
      '--upload-pack=touch',
      "'\"\\",
    )
    const arg = fc.oneof(hostile, fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\0')))
    await fc.assert(
      fc.asyncProperty(fc.array(arg, { maxLength: 5 }), async (args) => {
        const result = await providers.dispatch(
          request({ workspace, config: { command: [NODE, EXEC_CHILD, 'argv', ...args] }, declaredOutputs: ['argv'], inputs: { evil: args.join(' ') } }),
        )
        expect(result).toMatchObject({ outcome: 'succeeded', outputs: { argv: args } })
      }),
      { numRuns: 25, seed: 4242 },
    )
    expect(existsSync(canary)).toBe(false)
  })

  it('refuses a command that is not on the allow-list without spawning anything', async () => {
    const workspace = await tempDir()
    const counter = countingSpawn()
    const providers = createProviders({ policy: { allowCommands: ['/usr/local/bin/*'], allowUrls: [] }, spawn: counter.spawn })
    for (const command of [['/bin/sh', '-c', 'echo hi'], ['sh'], ['/usr/local/bin/../../bin/sh'], ['/usr/local/bin/x/y']]) {
      const result = await providers.dispatch(request({ workspace, config: { command } }))
      expect(result).toMatchObject({ outcome: 'failed', reason: 'NotAllowed' })
    }
    expect(await providers.dispatch(request({ workspace, config: { command: 'echo hi' } }))).toMatchObject({ reason: 'InvalidConfig' })
    expect(counter.calls()).toBe(0)
  })

  it('kills the whole process group on timeout', async () => {
    const workspace = await tempDir()
    const pidFile = join(workspace, 'grandchild.pid')
    const started = Date.now()
    const result = await createProviders({ policy }).dispatch(
      request({ workspace, timeoutMs: 700, config: { command: [NODE, EXEC_CHILD, 'hang', pidFile] } }),
    )
    expect(result).toMatchObject({ outcome: 'failed', reason: 'Timeout' })
    // "Quickly": the flood is cut at the output cap, not read to its end (100 MB would take far longer).
    expect(Date.now() - started).toBeLessThan(60_000)
    const grandchild = Number(await readFile(pidFile, 'utf8'))
    expect(grandchild).toBeGreaterThan(0)
    expect(await eventually(() => !isAlive(grandchild))).toBe(true)
  })

  it('kills the process group when the signal aborts', async () => {
    const workspace = await tempDir()
    const pidFile = join(workspace, 'grandchild.pid')
    const controller = new AbortController()
    // Abort once the grandchild is up (a loaded machine may take seconds to start it).
    void eventually(() => existsSync(pidFile), 60_000).then(() => controller.abort())
    const result = await createProviders({ policy }).dispatch(
      request({ workspace, signal: controller.signal, config: { command: [NODE, EXEC_CHILD, 'hang', pidFile] } }),
    )
    expect(result).toMatchObject({ outcome: 'failed', reason: 'Cancelled' })
    const grandchild = Number(await readFile(pidFile, 'utf8'))
    expect(await eventually(() => !isAlive(grandchild))).toBe(true)
  })

  it('reports a process killed by a signal as Crashed', async () => {
    const workspace = await tempDir()
    const result = await createProviders({ policy }).dispatch(request({ workspace, config: { command: [NODE, EXEC_CHILD, 'crash'] } }))
    expect(result).toMatchObject({ outcome: 'failed', reason: 'Crashed' })
  })

  it('reports garbage instead of JSON as InvalidOutput', async () => {
    const workspace = await tempDir()
    const result = await createProviders({ policy }).dispatch(request({ workspace, config: { command: [NODE, EXEC_CHILD, 'garbage'] } }))
    expect(result).toMatchObject({ outcome: 'failed', reason: 'InvalidOutput' })
  })

  it('stops a 100 MB flood quickly with OutputTooLarge', async () => {
    const workspace = await tempDir()
    const started = Date.now()
    const result = await createProviders({ policy }).dispatch(request({ workspace, config: { command: [NODE, EXEC_CHILD, 'flood'] } }))
    expect(result).toMatchObject({ outcome: 'failed', reason: 'OutputTooLarge' })
    // "Quickly": the flood is cut at the output cap, not read to its end (100 MB would take far longer).
    expect(Date.now() - started).toBeLessThan(60_000)
  })

  it('reports a non-zero exit as ExitCode with the redacted last stderr line, and keeps the redacted tail of its output as the log', async () => {
    const workspace = await tempDir()
    const result = await createProviders({ policy, secrets: ['hunter2-canary'] }).dispatch(
      request({ workspace, config: { command: [NODE, EXEC_CHILD, 'fail', 'hunter2-canary'] } }),
    )
    expect(result).toEqual({ outcome: 'failed', reason: 'ExitCode', message: 'command exited with code 3: boom: token=[REDACTED]', log: 'first line\nboom: token=[REDACTED]', output: { stdout: expect.objectContaining({ truncated: false }), stderr: expect.objectContaining({ text: expect.stringContaining('boom: token=[REDACTED]') }) } })
    const noisy = await createProviders({ policy }).dispatch(request({ workspace, config: { command: [NODE, '-e', "console.log('x'.repeat(5000)); console.error('the end'); process.exit(1)"] } }))
    const log = (noisy as { log?: string }).log ?? ''
    expect(log.startsWith('…')).toBe(true)
    expect(log.endsWith('the end')).toBe(true)
    expect(log.length).toBe(2049)
  })

  it('reports a missing executable as Crashed', async () => {
    const workspace = await tempDir()
    const missing = '/nonexistent/planspec-tool'
    const result = await createProviders({ policy: { allowCommands: [missing], allowUrls: [] } }).dispatch(
      request({ workspace, config: { command: [missing] } }),
    )
    expect(result).toMatchObject({ outcome: 'failed', reason: 'Crashed' })
  })
})

describe('exec provider: attempts survive the runner', () => {
  it('journals each attempt; another runner with the same attempts directory re-attaches to it while it runs, and release forgets it', async () => {
    const workspace = await tempDir()
    const attemptsDir = join(workspace, '.attempts')
    const marker = join(workspace, 'runs.txt')
    const command = [NODE, '-e', `require('fs').appendFileSync(${JSON.stringify(marker)}, 'x'); setTimeout(() => console.log(JSON.stringify({ done: 'yes' })), 800)`]
    const first = createProviders({ policy, attemptsDir }).forUri('exec://x')!
    const dispatched = first.dispatch(request({ workspace, runId: 'u/n/1', config: { command }, declaredOutputs: ['done'] }))
    await eventually(() => existsSync(marker))
    // A second runner (as after a restart) finds the attempt by its run id and waits for it.
    const second = createProviders({ policy, attemptsDir }).forUri('exec://x')!
    const found = await second.reattach!({ runId: 'u/n/1', node: 'n', attempt: 1, provider: 'exec://x', config: { command }, declaredOutputs: ['done'], workspace, signal: new AbortController().signal })
    expect(found.state).toBe('attached')
    expect(await (found as { result: Promise<unknown> }).result).toEqual({ outcome: 'succeeded', outputs: { done: 'yes' }, output: { stdout: { text: '{"done":"yes"}\n', bytes: 15, truncated: false }, stderr: { text: '', bytes: 0, truncated: false } } })
    expect(await dispatched).toEqual({ outcome: 'succeeded', outputs: { done: 'yes' }, output: { stdout: { text: '{"done":"yes"}\n', bytes: 15, truncated: false }, stderr: { text: '', bytes: 0, truncated: false } } })
    expect(await readFile(marker, 'utf8')).toBe('x')
    expect(await second.reattach!({ runId: 'u/n/2', node: 'n', attempt: 2, provider: 'exec://x', config: { command }, declaredOutputs: [], workspace, signal: new AbortController().signal })).toEqual({ state: 'not-started' })
    await second.release!('u/n/1')
    expect(await second.reattach!({ runId: 'u/n/1', node: 'n', attempt: 1, provider: 'exec://x', config: { command }, declaredOutputs: [], workspace, signal: new AbortController().signal })).toEqual({ state: 'not-started' })
  })
})

