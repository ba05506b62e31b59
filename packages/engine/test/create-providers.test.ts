import { describe, expect, it } from 'vitest'
import { createProviders, INVALID_POLICY_ERROR_CODE, InvalidPolicyError } from '../src/index.js'
import { EXEC_CHILD, NODE, request, tempDir } from './helpers.js'

const policy = { allowCommands: [NODE], allowUrls: [] }

describe('createProviders', () => {
  it('noop succeeds at once with config.outputs, keeping only declared keys', async () => {
    const workspace = await tempDir()
    const providers = createProviders({ policy })
    expect(
      await providers.dispatch(request({ workspace, provider: 'noop://demo', config: { outputs: { a: 1, ['__proto__']: { polluted: true } } }, declaredOutputs: ['a'] })),
    ).toEqual({ outcome: 'succeeded', outputs: { a: 1 }, message: 'UndeclaredOutput: dropped __proto__' })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(await providers.dispatch(request({ workspace, provider: 'noop://demo', config: { outputs: 'x' } }))).toMatchObject({ reason: 'InvalidConfig' })
  })

  it('makes human and agent work claimable, and runs agent commands like exec', async () => {
    const workspace = await tempDir()
    const providers = createProviders({ policy })
    expect(await providers.dispatch(request({ workspace, provider: 'human://reviewers' }))).toEqual({ outcome: 'pending', claimable: true })
    expect(await providers.dispatch(request({ workspace, provider: 'agent://coder' }))).toEqual({ outcome: 'pending', claimable: true })
    expect(
      await providers.dispatch(request({ workspace, provider: 'agent://coder', config: { command: [NODE, EXEC_CHILD, 'argv', 'x'] }, declaredOutputs: ['argv'] })),
    ).toMatchObject({ outcome: 'succeeded', outputs: { argv: ['x'] } })
    expect(await providers.dispatch(request({ workspace, provider: 'agent://coder', config: { command: ['/bin/sh'] } }))).toMatchObject({
      reason: 'NotAllowed',
    })
  })

  it('finds providers by scheme, case-insensitively, and fails unknown ones with UnknownProvider', async () => {
    const workspace = await tempDir()
    const providers = createProviders({ policy })
    expect(providers.forUri('EXEC://x')?.schemes).toContain('exec')
    expect(providers.forUri('tool://x')?.schemes).toContain('tool')
    expect(providers.forUri('https://x')?.schemes).toContain('https')
    expect(providers.forUri('mcp://s/t')?.schemes).toEqual(['mcp'])
    expect(providers.forUri('gopher://x')).toBeUndefined()
    expect(providers.forUri('plain-string')).toBeUndefined()
    expect(await providers.dispatch(request({ workspace, provider: 'gopher://user:pw@host/x' }))).toEqual({
      outcome: 'failed',
      reason: 'UnknownProvider',
      message: 'no provider for "gopher://[REDACTED]@host/x"',
    })
  })
})

describe('policy checks at start-up', () => {
  it.each([
    { allowCommands: [''], allowUrls: [] },
    { allowCommands: [], allowUrls: ['ftp://files.example.com'] },
    { allowCommands: [], allowUrls: ['https://user:pw@example.com/'] },
    { allowCommands: [], allowUrls: ['example.com'] },
    { allowCommands: [], allowUrls: [], maxOutputBytes: 0 },
  ])('refuses a malformed policy with a terminal coded error (%j)', (policy) => {
    let caught: unknown
    try {
      createProviders({ policy })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(InvalidPolicyError)
    expect(caught).toMatchObject({ code: INVALID_POLICY_ERROR_CODE, terminal: true })
  })
})
