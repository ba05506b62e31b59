import { describe, expect, it } from 'vitest'
import { edgePairKeys } from '../../src/internal/edge-pair-keys.js'

describe('edgePairKeys', () => {
  it('gives one number per pair while ids are below the bound, and tells pairs and non-string ids apart', () => {
    const key = edgePairKeys()
    expect(key('a', 'b')).toBe(key('a', 'b'))
    expect(key('a', 'b')).not.toBe(key('b', 'a'))
    expect(typeof key('a', 'b')).toBe('number')
    // A number id never equals the string of the same text.
    expect(key(1, 'a')).not.toBe(key('1', 'a'))
    expect(key(undefined, 'a')).toBe(key(null, 'a'))
  })

  it('keys pairs by their text past the bound, still telling them apart', () => {
    const key = edgePairKeys(2)
    expect(key('a', 'b')).toBe(1)
    // The third id is numbered 2: past the bound, the pair's text.
    expect(key('a', 'c')).toBe('0,2')
    expect(key('c', 'a')).toBe('2,0')
    expect(key('a', 'c')).toBe(key('a', 'c'))
  })
})
