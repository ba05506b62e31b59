import { describe, expect, it } from 'vitest'
import { PROVIDER_SCHEMES, providerScheme, schemesOf } from '../src/provider-schemes.js'

describe('providerScheme', () => {
  it('returns the known scheme of a provider URI', () => {
    expect(providerScheme('exec://build')).toBe('exec')
    expect(providerScheme('https://ci.example.com/hook')).toBe('https')
    expect(providerScheme('noop://')).toBe('noop')
  })

  it('returns nothing for unknown schemes, plain strings and inherited names', () => {
    expect(providerScheme('ftp://old')).toBeUndefined()
    expect(providerScheme('build-bot')).toBeUndefined()
    expect(providerScheme('constructor://x')).toBeUndefined()
    expect(providerScheme('EXEC://x')).toBeUndefined()
  })
})

describe('schemesOf', () => {
  it('lists the schemes of each family, every scheme in exactly one', () => {
    expect(schemesOf('exec')).toEqual(['exec', 'tool'])
    expect(schemesOf('claimable')).toEqual(['human', 'agent'])
    const families = [...new Set(Object.values(PROVIDER_SCHEMES))]
    expect(families.flatMap(schemesOf).sort()).toEqual(Object.keys(PROVIDER_SCHEMES).sort())
  })
})
