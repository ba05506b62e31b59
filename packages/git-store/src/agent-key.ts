import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { GitInvalidInputError } from './errors.js'

/** One agent key: an HMAC-SHA256 secret and a short public id (so a proof names the key that made it). */
export interface AgentKey {
  /** The first 12 hex characters of SHA-256 over the secret: safe to log and to write in proofs. */
  readonly id: string
  readonly secret: Uint8Array
}

/**
 * The keys the agents share (DECISIONS §9): the first makes new proofs, all of them are accepted,
 * so a key can be rotated by putting the new one first while the old one is still accepted.
 */
export interface AgentKeyring {
  readonly signing: AgentKey
  readonly accepted: readonly AgentKey[]
}

/** The smallest secret accepted: 32 bytes, what `openssl rand -base64 32` gives. */
export const MIN_AGENT_KEY_BYTES = 32

const PROOF = /^v1 ([0-9a-f]{12}) ([A-Za-z0-9+/]{43}=)$/

/**
 * Creates a keyring from secrets, the signing one first. Throws `PLANSPEC_ERR_GIT_INVALID_INPUT`
 * when there is none or one is shorter than {@link MIN_AGENT_KEY_BYTES}.
 *
 * @example
 * const keyring = createAgentKeyring([Buffer.from(process.env.PLANSPEC_AGENT_KEY!, 'base64')])
 */
export function createAgentKeyring(secrets: readonly Uint8Array[]): AgentKeyring {
  if (secrets.length === 0) throw new GitInvalidInputError('an agent key is required', { data: { field: 'agentKey' } })
  const keys = secrets.map((secret) => {
    if (secret.byteLength < MIN_AGENT_KEY_BYTES) throw new GitInvalidInputError(`an agent key must hold at least ${MIN_AGENT_KEY_BYTES} bytes (base64 of 32 random bytes)`, { data: { field: 'agentKey' } })
    return { id: createHash('sha256').update(secret).digest('hex').slice(0, 12), secret: Uint8Array.from(secret) }
  })
  return { signing: keys[0]!, accepted: keys }
}

/**
 * Parses agent keys written as text: one base64 secret per line, the signing key first; blank
 * lines and `#` comments are skipped. Throws `PLANSPEC_ERR_GIT_INVALID_INPUT` (never echoing the
 * text) when a line is not base64 of at least 32 bytes.
 *
 * @example
 * const keyring = createAgentKeyring(parseAgentKeys(readFileSync(file, 'utf8')))
 */
export function parseAgentKeys(text: string): Uint8Array[] {
  const secrets: Uint8Array[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '' || line.startsWith('#')) continue
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(line)) throw new GitInvalidInputError(`agent key line ${i + 1} is not base64`, { data: { field: 'agentKey', line: i + 1 } })
    secrets.push(Buffer.from(line, 'base64'))
  }
  return secrets
}

/** Returns the proof of `content` made with the keyring's signing key: `v1 <key id> <base64 HMAC-SHA256>`. */
export function agentProof(keyring: AgentKeyring, content: string): string {
  const key = keyring.signing
  return `v1 ${key.id} ${createHmac('sha256', key.secret).update(content, 'utf8').digest('base64')}`
}

/**
 * Tells whether `proof` is a valid proof of `content` under one of the accepted keys (constant-time
 * comparison). Anything malformed is simply not valid.
 */
export function checkAgentProof(keyring: AgentKeyring, content: string, proof: string | undefined): boolean {
  const match = proof === undefined ? null : PROOF.exec(proof.trim())
  if (match === null) return false
  const key = keyring.accepted.find((k) => k.id === match[1])
  if (key === undefined) return false
  const expected = createHmac('sha256', key.secret).update(content, 'utf8').digest()
  const given = Buffer.from(match[2]!, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
