import { isIPv4, isIPv6 } from 'node:net'

// [network, prefix length] of IPv4 ranges that are not the public internet (THREATS T12):
// this-network, private, CGNAT, loopback, link-local (incl. 169.254.169.254), IETF protocol
// assignments, benchmarking, multicast, reserved and broadcast.
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
]

/**
 * Tells whether an IP address literal is a public unicast address. Loopback, private,
 * link-local, multicast, unspecified and reserved addresses are not; IPv6 forms that embed an
 * IPv4 address (`::ffff:127.0.0.1`, `::127.0.0.1`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are
 * judged by the embedded address. Anything that is not an IP literal is not public.
 */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return isPublicV4(v4ToNumber(address))
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  if (!isIPv6(bare)) return false
  const g = v6Groups(bare)
  if (g === undefined) return false
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g
  const embedded = ((g6 << 16) | g7) >>> 0
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0
  if (firstFiveZero && (g5 === 0xffff || g5 === 0)) {
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible); :: and ::1 land here as 0.0.0.x.
    return isPublicV4(embedded)
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPublicV4(embedded)
  if (g0 === 0x2002) return isPublicV4(((g1 << 16) | g2) >>> 0)
  if ((g0 & 0xfe00) === 0xfc00) return false // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return false // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return false // multicast
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return false // discard-only 100::/64
  return true
}

function isPublicV4(n: number): boolean {
  if (n === 0xffffffff) return false
  return !BLOCKED_V4.some(([net, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
    return ((n & mask) >>> 0) === ((v4ToNumber(net) & mask) >>> 0)
  })
}

function v4ToNumber(address: string): number {
  return address.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0)
}

/** Expands an IPv6 literal (validated by `isIPv6`) into its eight 16-bit groups. */
function v6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase()
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted?.[1] !== undefined) {
    const n = v4ToNumber(dotted[1])
    text = `${text.slice(0, dotted.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = 8 - left.length - right.length
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right]
  return groups.map((part) => parseInt(part, 16))
}
