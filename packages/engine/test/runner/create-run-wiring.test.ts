import { createRedactor } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { createRunWiring } from '../../src/index.js'
import { NODE, tempDir } from '../helpers.js'

describe('createRunWiring', () => {
  const policy = { allowCommands: [NODE], allowUrls: [] }

  it('checks acceptance criteria with the injected environment and allow-lists, like the providers', async () => {
    const workspace = await tempDir()
    const wiring = createRunWiring({ policy, env: { PATH: '/wired/path', LANG: 'C' } })
    const deps = wiring.runDeps(workspace)
    const results = await deps.checkAcceptance!('verify', [
      { id: 'path', type: 'command_succeeds', name: 'path', command: NODE, args: ['-e', 'console.log(process.env.PATH)'], outputMatch: '^/wired/path\\n?$' },
      { id: 'shell', type: 'command_succeeds', name: 'shell', command: '/bin/sh', args: ['-c', 'true'] },
    ], new AbortController().signal)
    expect(results.map((r) => [r.id, r.passed, r.reason])).toEqual([['path', true, undefined], ['shell', false, 'NotAllowed']])
    expect(deps.workspace).toBe(workspace)
  })

  it('builds providers, evaluator and redactor once for every run', async () => {
    const redactor = createRedactor(['hunter2-secret'])
    const wiring = createRunWiring({ policy, redactor })
    const [a, b] = [wiring.runDeps('/a'), wiring.runDeps('/b')]
    expect(a.providers).toBe(b.providers)
    expect(a.evaluate).toBe(b.evaluate)
    expect(a.redactor).toBe(redactor)
    expect(wiring.providers.forUri('noop://x')).toBeDefined()
    expect(wiring.providers.forUri('ftp://x')).toBeUndefined()
    expect(wiring.redactor.redact('token hunter2-secret')).not.toContain('hunter2-secret')
  })

  it('uses the providers it is given', () => {
    const providers = { forUri: () => undefined }
    expect(createRunWiring({ policy, providers }).runDeps('/w').providers).toBe(providers)
  })
})
