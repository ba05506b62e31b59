import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRedactor, looksSecret, REDACTED, redactSecrets, secretEnvValues, secretForms } from '../src/index.js'

describe('secretForms', () => {
  it('lists the raw, JSON-escaped, URL-encoded and base64 forms, as Node encodes them', () => {
    const secret = 'pa"ss\\wörd/+é𝄞'
    const base64 = Buffer.from(secret).toString('base64')
    const forms = secretForms(secret)
    expect(forms).toContain(secret)
    expect(forms).toContain(JSON.stringify(secret).slice(1, -1))
    expect(forms).toContain(encodeURIComponent(secret))
    expect(forms).toContain(base64)
    expect(forms).toContain(Buffer.from(secret).toString('base64url'))
    const bytes = Buffer.from(secret)
    expect(forms).toContain(bytes.subarray(0, bytes.length - (bytes.length % 3)).toString('base64'))
  })

  it('matches Node base64 for every length and character class (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 3, maxLength: 20 }), (secret) => secretForms(secret).includes(Buffer.from(secret).toString('base64'))),
      { seed: 7, numRuns: 300 },
    )
  })

  it('has no forms for secrets shorter than 3 characters', () => {
    expect(secretForms('ab')).toEqual([])
    expect(secretForms('abc')).toEqual(['abc', 'YWJj'])
  })
})

describe('createRedactor', () => {
  it('replaces secrets, their encodings and URL userinfo without touching the rest', () => {
    const secret = 's3cr3t/value+='
    const redactor = createRedactor([secret])
    const text = `a ${secret} b ${Buffer.from(secret).toString('base64')} c ${encodeURIComponent(secret)} https://bob:pw@example.com/x git+ssh://tok@h/r`
    expect(redactor.redact(text)).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED} https://${REDACTED}@example.com/x git+ssh://${REDACTED}@h/r`)
    expect(redactor.redact('nothing to hide')).toBe('nothing to hide')
  })

  it('finds a secret inside a longer base64 text (a basic-auth header that starts with it)', () => {
    const secret = 'tok3n-abcdef'
    const header = Buffer.from(`${secret}:x-oauth-basic`).toString('base64')
    expect(createRedactor([secret]).redact(header)).toContain(REDACTED)
  })

  it('replaces the longer of two overlapping secrets whole, and learns secrets while running', () => {
    const redactor = createRedactor(['abc'])
    expect(redactor.size).toBe(1)
    redactor.add(['abcdef', 'abc', 'x', 42 as unknown as string])
    expect(redactor.size).toBe(2)
    expect(redactor.redact('abcdef abc')).toBe(`${REDACTED} ${REDACTED}`)
  })

  it('redacts JSON-like values deeply (keys too), sharing what did not change', () => {
    const redactor = createRedactor(['hunter2'])
    const untouched = { a: [1, 'x', null], b: { c: true } }
    const value = { keep: untouched, outputs: { token: 'is hunter2', hunter2: 1 }, list: ['hunter2', 'y'] }
    const redacted = redactor.redactValue(value)
    expect(redacted).toEqual({ keep: untouched, outputs: { token: `is ${REDACTED}`, [REDACTED]: 1 }, list: [REDACTED, 'y'] })
    expect(redacted.keep).toBe(untouched)
    expect(redactor.redactValue(untouched)).toBe(untouched)
    expect(value.outputs.token).toBe('is hunter2')
  })

  it('never leaves a registered secret in its output (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 3, maxLength: 12 }), fc.string(), fc.string(), (secret, before, after) => {
        return !redactSecrets(`${before}${secret}${after}`, [secret]).includes(secret) || REDACTED.includes(secret)
      }),
      { seed: 11, numRuns: 300 },
    )
  })

  it('stays linear on hostile input', () => {
    // A per-position rescan would make this quadratic (minutes); linear, it is a few milliseconds.
    const hostile = `${'a://'.repeat(20_000)}${'x'.repeat(50_000)} ${'b'.repeat(50_000)}://${'c'.repeat(50_000)}`
    expect(redactSecrets(hostile, ['zzz'])).toContain('b://')
    expect(redactSecrets('a b', ['a'])).toBe('a b')
    expect(redactSecrets('plain')).toBe('plain')
  })
})

describe('looksSecret and secretEnvValues', () => {
  it('collects the values of secret-looking variables only', () => {
    expect(['PLANSPEC_GIT_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'db_password', 'PLANSPEC_AGENT_KEY', 'GOOGLE_CREDENTIALS'].every(looksSecret)).toBe(true)
    expect(looksSecret('HOME')).toBe(false)
    expect(secretEnvValues({ PLANSPEC_GIT_TOKEN: 'tok', HOME: '/root', EMPTY_TOKEN: '', UNSET_KEY: undefined })).toEqual(['tok'])
  })
})
