import { describe, expect, it } from 'vitest'
import { createRedactor } from '@planspec/core'
import { createProviders } from '../src/index.js'
import { NODE, request, tempDir } from './helpers.js'

const SECRET = 's3cr3t-token-value-42'

/** A child that prints `lines` numbered lines on stdout and on stderr, each carrying the secret. */
function chatty(lines: number): string[] {
  const script = `for (let i = 1; i <= ${lines}; i++) { process.stdout.write('out ' + i + ' key=' + process.env.KEY + '\\n'); process.stderr.write('err ' + i + ' key=' + process.env.KEY + '\\n') }; console.log('{}')`
  return [NODE, '-e', script]
}

describe('attempt output', () => {
  it('keeps what a command printed on each stream, secret-masked, head and tail around a truncation marker past the cap', async () => {
    const workspace = await tempDir()
    const redactor = createRedactor()
    const providers = createProviders({ policy: { allowCommands: [NODE], allowUrls: [], allowEnv: ['KEY'], maxLogBytes: 4096 }, env: { PATH: '/usr/bin:/bin', KEY: SECRET }, redactor })
    const result = await providers.dispatch(request({ workspace, config: { command: chatty(2000), env: { KEY: { fromEnv: 'KEY', secret: true } } } }))
    expect(result.outcome).toBe('succeeded')
    if (result.outcome === 'pending' || result.output === undefined) throw new Error('no output kept')
    for (const stream of ['stdout', 'stderr'] as const) {
      const kept = result.output[stream]
      expect(kept.truncated).toBe(true)
      expect(kept.bytes).toBeGreaterThan(40_000)
      expect(Buffer.byteLength(kept.text)).toBeLessThan(4096 + 100)
      expect(kept.text).not.toContain(SECRET)
      const prefix = stream === 'stdout' ? 'out' : 'err'
      expect(kept.text.startsWith(`${prefix} 1 key=[REDACTED]\n`)).toBe(true)
      expect(kept.text.endsWith(`${prefix} 2000 key=[REDACTED]\n${stream === 'stdout' ? '{}\n' : ''}`)).toBe(true)
      expect(kept.text).toMatch(/\n\[\.\.\. \d+ bytes truncated \.\.\.\]\n/)
    }
  })

  it('keeps the whole output when it fits, and the output of a failed command too', async () => {
    const workspace = await tempDir()
    const providers = createProviders({ policy: { allowCommands: [NODE], allowUrls: [] } })
    const result = await providers.dispatch(request({ workspace, config: { command: [NODE, '-e', "console.log('hello'); console.error('bad thing'); process.exit(3)"] } }))
    expect(result).toMatchObject({ outcome: 'failed', reason: 'ExitCode', output: { stdout: { text: 'hello\n', bytes: 6, truncated: false }, stderr: { text: 'bad thing\n', bytes: 10, truncated: false } } })
  })

  it('keeps what a command printed before it timed out', async () => {
    const workspace = await tempDir()
    const providers = createProviders({ policy: { allowCommands: [NODE], allowUrls: [] } })
    const result = await providers.dispatch(request({ workspace, timeoutMs: 3000, config: { command: [NODE, '-e', "console.log('started'); setInterval(() => {}, 1000)"] } }))
    expect(result).toMatchObject({ outcome: 'failed', reason: 'Timeout', output: { stdout: { text: 'started\n' } } })
  })
})
