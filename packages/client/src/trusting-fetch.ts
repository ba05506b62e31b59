import { Agent, fetch as undiciFetch } from 'undici'

/**
 * Creates a `fetch` that trusts the given CA certificate(s) (PEM) instead of the system's, for a
 * server with a self-signed or private-CA certificate (what `planspec serve` creates on first
 * start). Host names are still checked against the certificate; nothing is ever left unverified.
 *
 * @example
 * const doFetch = fetchTrusting(readFileSync(caFile, 'utf8'))
 * await doFetch('https://127.0.0.1:8443/readyz')
 */
export function fetchTrusting(ca: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca, rejectUnauthorized: true } })
  return ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch
}
