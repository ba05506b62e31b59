import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPublicAddress } from '../src/internal/address-check.js'
import { isCommandAllowed, isUrlAllowed } from '../src/index.js'

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0',
    '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', '::ffff:127.0.0.1', '::ffff:7f00:1', '::127.0.0.1',
    '64:ff9b::a00:1', '2002:7f00:1::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '[::1]', 'fe80::1%eth0', 'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false)
  })

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '203.0.113.10', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::'])(
    'accepts %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true)
    },
  )

  it('judges every IPv4-mapped IPv6 address like its IPv4 address (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => isPublicAddress(`::ffff:${v4}`) === isPublicAddress(v4)),
      { seed: 7, numRuns: 500 },
    )
  })
})

describe('isUrlAllowed', () => {
  const allow = ['https://*.example.com/hooks/*', 'http://ci.internal:8080', 'https://api.example.org/v1/run']
  it.each([
    ['https://a.example.com/hooks/x', true],
    ['https://a.b.example.com/hooks/x?y=1', true],
    ['https://example.com/hooks/x', false],
    ['https://evil.com/#.example.com/hooks/x', false],
    ['https://evil.com?.example.com/hooks/', false],
    ['https://a.example.com:8443/hooks/x', false],
    ['http://a.example.com/hooks/x', false],
    ['http://ci.internal:8080/anything', true],
    ['http://ci.internal/anything', false],
    ['https://api.example.org/v1/run', true],
    ['https://api.example.org/v1/run/more', false],
  ])('%s → %s', (url, expected) => {
    expect(isUrlAllowed(new URL(url), allow)).toBe(expected)
  })
})

describe('isCommandAllowed', () => {
  it.each([
    ['/usr/bin/node', true],
    ['/usr/bin/x/node', false],
    ['/usr/bin/../../bin/sh', false],
    ['/opt/tools/build', true],
    ['/opt/tools/build2', false],
    ['npm', true],
    ['/usr/local/bin/npm', false],
    ['/opt/tools/build\0', false],
    ['', false],
  ])('%s → %s', (file, expected) => {
    expect(isCommandAllowed(file, ['/usr/bin/*', '/opt/tools/build', 'npm'])).toBe(expected)
  })
})

