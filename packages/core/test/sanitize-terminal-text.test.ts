import { describe, expect, it } from 'vitest'
import { sanitizeTerminalText } from '../src/sanitize-terminal-text.js'

describe('sanitizeTerminalText', () => {
  it('turns every control character but tab and newline into ?', () => {
    expect(sanitizeTerminalText('ok\u001b[2Jgone\u0007\u009b\ttab\nline\u007f')).toBe('ok?[2Jgone??\ttab\nline?')
  })

  it('prints absent values as empty text and others as strings', () => {
    expect(sanitizeTerminalText(undefined)).toBe('')
    expect(sanitizeTerminalText(null)).toBe('')
    expect(sanitizeTerminalText(42)).toBe('42')
  })
})
