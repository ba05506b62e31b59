import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createProviders } from '../src/index.js'
import { FIXTURES, NODE, request, tempDir } from './helpers.js'

const servers = { files: { command: [NODE, join(FIXTURES, 'mcp-server.mjs')] } }
const policy = { allowCommands: [NODE], allowUrls: [] }

describe('mcp provider (real stdio MCP server)', () => {
  it('takes structuredContent as outputs', async () => {
    const workspace = await tempDir()
    const result = await createProviders({ policy, servers }).dispatch(
      request({ workspace, provider: 'mcp://files/add', inputs: { a: 2, b: 40 }, declaredOutputs: ['sum'] }),
    )
    expect(result).toEqual({ outcome: 'succeeded', outputs: { sum: 42 }, message: 'UndeclaredOutput: dropped note' })
  })

  it('falls back to the JSON object in the first text content, with servers from config', async () => {
    const workspace = await tempDir()
    const result = await createProviders({ policy }).dispatch(
      request({ workspace, provider: 'mcp://files/echo-text', config: { servers }, inputs: { word: 'hi' }, declaredOutputs: ['echoed'] }),
    )
    expect(result).toEqual({ outcome: 'succeeded', outputs: { echoed: 'hi' } })
  })

  it('maps isError, prose, unknown servers, slow tools and the allow-list to stable reasons', async () => {
    const workspace = await tempDir()
    const providers = createProviders({ policy, servers })
    expect(await providers.dispatch(request({ workspace, provider: 'mcp://files/fail' }))).toEqual({
      outcome: 'failed',
      reason: 'RemoteFailed',
      message: 'tool exploded',
    })
    expect(await providers.dispatch(request({ workspace, provider: 'mcp://files/prose' }))).toMatchObject({ reason: 'InvalidOutput' })
    expect(await providers.dispatch(request({ workspace, provider: 'mcp://nope/add' }))).toMatchObject({ reason: 'InvalidConfig' })
    expect(await providers.dispatch(request({ workspace, provider: 'mcp://files/slow', timeoutMs: 1500 }))).toMatchObject({ reason: 'Timeout' })
  })

  it('refuses a server command that is not on the allow-list without starting it', async () => {
    const workspace = await tempDir()
    const result = await createProviders({ policy: { allowCommands: ['/usr/bin/true'], allowUrls: [] }, servers }).dispatch(
      request({ workspace, provider: 'mcp://files/add', inputs: { a: 1, b: 1 } }),
    )
    expect(result).toMatchObject({ outcome: 'failed', reason: 'NotAllowed' })
  })
})
