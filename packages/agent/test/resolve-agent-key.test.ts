import { randomBytes } from 'node:crypto'
import { chmodSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveAgentKey } from '../src/index.js'
import { cleanup, tempDir } from './helpers.js'

afterEach(cleanup)

describe('resolveAgentKey', () => {
  it('generates a key 0600 in the state directory on first start and reads the same one back after a restart', async () => {
    const state = await tempDir()
    const first = resolveAgentKey({ env: { XDG_STATE_HOME: state } })
    expect(first.source).toEqual({ from: 'state', path: join(state, 'planspec/agent-key'), generated: true })
    expect(statSync(join(state, 'planspec/agent-key')).mode & 0o777).toBe(0o600)
    const again = resolveAgentKey({ env: { XDG_STATE_HOME: state } })
    expect(again.source).toMatchObject({ generated: false })
    expect(again.keyring.signing.id).toBe(first.keyring.signing.id)
  })

  it('prefers PLANSPEC_AGENT_KEY (several keys for a rotation), then --agent-key-file, and refuses a file others may read', async () => {
    const dir = await tempDir()
    const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')]
    const fromEnv = resolveAgentKey({ env: { PLANSPEC_AGENT_KEY: `${a},${b}`, XDG_STATE_HOME: dir }, file: '/nonexistent' })
    expect(fromEnv.source).toEqual({ from: 'env', variable: 'PLANSPEC_AGENT_KEY' })
    expect(fromEnv.keyring.accepted).toHaveLength(2)
    const file = join(dir, 'key')
    writeFileSync(file, `# the agents' key\n${a}\n`, { mode: 0o600 })
    expect(resolveAgentKey({ env: {}, file }).keyring.signing.id).toBe(fromEnv.keyring.signing.id)
    chmodSync(file, 0o644)
    expect(() => resolveAgentKey({ env: {}, file })).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_AGENT_KEY' }))
    expect(() => resolveAgentKey({ env: { PLANSPEC_AGENT_KEY: 'too-short' } })).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_AGENT_KEY' }))
  })
})
