import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { PlanSpecError } from '@planspec/core'
import { parse } from 'yaml'

/** An authenticated caller: a user name and the groups it belongs to. */
export interface Identity {
  readonly user: string
  readonly groups: readonly string[]
}

/** One bearer token and the identity it authenticates. */
export interface TokenEntry extends Identity {
  readonly token: string
}

/** The known bearer tokens. Tokens are kept only as SHA-256 digests. */
export interface TokenRegistry {
  /** Returns the identity of a presented token, or undefined. */
  authenticate(token: string): Identity | undefined
  /** Every known identity (for Gate eligibility: team members and writers). */
  identities(): readonly Identity[]
}

/** The tokens file could not be read or is malformed; the message never contains a token. */
export class TokensFileError extends PlanSpecError {
  /** Creates the error; `line` is 1-based when known. */
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`, { code: 'PLANSPEC_ERR_API_TOKENS_FILE', data: line === undefined ? {} : { line }, terminal: true })
  }
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64')

/**
 * Creates a registry from token entries. Throws `TokensFileError` on an empty token or user, or a
 * token given twice.
 *
 * @example
 * const tokens = createTokenRegistry([{ token: 's3cret-token', user: 'alice', groups: ['acme/sre'] }])
 * tokens.authenticate('s3cret-token') // { user: 'alice', groups: ['acme/sre'] }
 */
export function createTokenRegistry(entries: readonly TokenEntry[]): TokenRegistry {
  const byDigest = new Map<string, Identity>()
  entries.forEach((entry, index) => {
    if (entry.token === '' || entry.user === '') throw new TokensFileError(`entry ${index + 1} has an empty token or user`)
    const key = digest(entry.token)
    if (byDigest.has(key)) throw new TokensFileError(`entry ${index + 1} repeats a token given earlier`)
    byDigest.set(key, { user: entry.user, groups: [...entry.groups] })
  })
  const identities = [...byDigest.values()]
  return {
    authenticate: (token) => byDigest.get(digest(token)),
    identities: () => identities,
  }
}

/**
 * Parses a tokens file. Two formats are accepted:
 * - CSV, one `token,user[,group...]` per line; a quoted field may hold several comma-separated
 *   groups (`t0ken,alice,"acme/sre,admins"`); blank lines and lines starting with `#` are skipped.
 * - YAML: a list of `{token, user, groups}` maps, or a map with such a list under `tokens`.
 *
 * @example
 * parseTokens('t0ken-1,alice,acme/sre\n# comment\nt0ken-2,bob,"admins,acme/dev"\n')
 */
export function parseTokens(text: string): TokenRegistry {
  const yaml = tryYaml(text)
  return createTokenRegistry(yaml ?? parseCsv(text))
}

/** Reads and parses a tokens file (see {@link parseTokens}). */
export async function loadTokens(file: string): Promise<TokenRegistry> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    throw new TokensFileError(`cannot read the tokens file: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  return parseTokens(text)
}

function tryYaml(text: string): TokenEntry[] | undefined {
  let value: unknown
  try {
    value = parse(text, { schema: 'core', maxAliasCount: 0, uniqueKeys: true })
  } catch {
    return undefined
  }
  const list = Array.isArray(value) ? value : value !== null && typeof value === 'object' && Array.isArray((value as { tokens?: unknown }).tokens) ? (value as { tokens: unknown[] }).tokens : undefined
  if (list === undefined) return undefined
  return list.map((item, index) => {
    const entry = item as { token?: unknown; user?: unknown; groups?: unknown }
    if (item === null || typeof item !== 'object' || typeof entry.token !== 'string' || typeof entry.user !== 'string') {
      throw new TokensFileError(`entry ${index + 1} needs string fields "token" and "user"`)
    }
    const groups = entry.groups === undefined ? [] : entry.groups
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) throw new TokensFileError(`entry ${index + 1}: "groups" must be a list of strings`)
    return { token: entry.token, user: entry.user, groups }
  })
}

function parseCsv(text: string): TokenEntry[] {
  const entries: TokenEntry[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = splitCsvLine(line, index + 1)
    const [token, user, ...rest] = fields
    if (token === undefined || user === undefined || token === '' || user === '') throw new TokensFileError('expected token,user[,groups]', index + 1)
    const groups = rest.flatMap((field) => field.split(',')).map((g) => g.trim()).filter((g) => g !== '')
    entries.push({ token, user, groups })
  })
  return entries
}

function splitCsvLine(line: string, lineNumber: number): string[] {
  const fields: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"'
        i++
      } else if (ch === '"') quoted = false
      else current += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      fields.push(current.trim())
      current = ''
    } else current += ch
  }
  if (quoted) throw new TokensFileError('unterminated quote', lineNumber)
  fields.push(current.trim())
  return fields
}
