import { PassThrough, Readable } from 'node:stream'
import { createRedactor } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/logger.js'
import { sanitizeTerminalText } from '@planspec/core'

describe('createLogger', () => {
  it('masks known secrets in every line it writes, messages and fields alike (logs are a sink)', () => {
    const stdout = new PassThrough()
    let out = ''
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const logger = createLogger({ stdout, stderr: new PassThrough(), stdin: Readable.from(['']), cwd: '/', env: { PLANSPEC_LOG_LEVEL: 'debug' } }, createRedactor(['canary-log-secret']))
    logger.info({ url: 'https://user:pw@example.com/x', detail: 'has canary-log-secret' }, 'failed with canary-log-secret')
    const line = JSON.parse(out.trim()) as Record<string, string>
    expect(line).toMatchObject({ msg: 'failed with [REDACTED]', detail: 'has [REDACTED]', url: 'https://[REDACTED]@example.com/x' })
  })
})

describe('sanitizeTerminalText', () => {
  it('turns every control character but tab and newline into "?"', () => {
    expect(sanitizeTerminalText('a\u001b[2Jb\u0007c\td\ne\u009bf\u007f')).toBe('a?[2Jb?c\td\ne?f?')
    expect(sanitizeTerminalText(undefined)).toBe('')
  })
})
