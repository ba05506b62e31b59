const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK = 0xffffffffffffffffn

/**
 * Hashes a list of strings to 16 hex digits with 64-bit FNV-1a over the UTF-16 code units of their JSON encoding (so
 * `["a,b"]` and `["a","b"]` differ). Stable across runs and platforms; not cryptographic.
 */
export function hashFingerprint(parts: readonly string[]): string {
  let hash = FNV_OFFSET
  const text = JSON.stringify(parts)
  for (let i = 0; i < text.length; i++) {
    hash = ((hash ^ BigInt(text.charCodeAt(i))) * FNV_PRIME) & MASK
  }
  return hash.toString(16).padStart(16, '0')
}
