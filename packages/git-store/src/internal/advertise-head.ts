import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git'

function pkt(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0')), payload])
}

/** Splits a pkt-line stream into payloads (null for a flush packet); undefined when malformed. */
function splitPkts(buffer: Buffer): (Buffer | null)[] | undefined {
  const out: (Buffer | null)[] = []
  let at = 0
  while (at + 4 <= buffer.length) {
    const length = Number.parseInt(buffer.toString('latin1', at, at + 4), 16)
    if (Number.isNaN(length) || (length > 0 && length < 4) || at + Math.max(length, 4) > buffer.length) return undefined
    out.push(length === 0 ? null : buffer.subarray(at + 4, at + length))
    at += Math.max(length, 4)
  }
  return at === buffer.length ? out : undefined
}

/**
 * Adds a `HEAD` line to a protocol-v1 upload-pack ref advertisement that has none (the remote's
 * default branch is unborn, e.g. a repository holding only the status branch). isomorphic-git's
 * fetch looks HEAD up after downloading and throws NotFoundError before saving the pack when it
 * is missing; since the store always fetches explicit refs, HEAD's value does not matter and the
 * first advertised ref stands in for it. Any other response passes through untouched.
 */
export function advertiseHead(http: HttpClient): HttpClient {
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      const response = await http.request(request)
      if ((request.method ?? 'GET') !== 'GET' || !request.url.includes('/info/refs?service=git-upload-pack') || response.statusCode !== 200 || !response.body) return response
      const chunks: Uint8Array[] = []
      for await (const chunk of response.body) chunks.push(chunk)
      const raw = Buffer.concat(chunks)
      const replay = (buffer: Buffer): GitHttpResponse => ({ ...response, body: (async function* () { yield buffer })() })
      const pkts = splitPkts(raw)
      const first = pkts?.findIndex((p, i) => i > 0 && p !== null && pkts[i - 1] === null) ?? -1
      const line = first > 0 ? pkts![first]! : undefined
      const nul = line ? line.indexOf(0) : -1
      if (!pkts || !line || nul < 0) return replay(raw)
      const [oid, ref] = line.toString('latin1', 0, nul).split(' ')
      if (!oid || !ref || ref === 'HEAD' || /^0{40}$/.test(oid) || pkts.some((p) => p !== null && / HEAD(\0|\n|$)/.test(p.toString('latin1', 0, 60)))) return replay(raw)
      const head = Buffer.concat([Buffer.from(`${oid} HEAD`), line.subarray(nul)])
      const rest = Buffer.from(`${oid} ${ref}\n`)
      const rebuilt = pkts.flatMap((p, i) => (i === first ? [pkt(head), pkt(rest)] : [p === null ? Buffer.from('0000') : pkt(p)]))
      return replay(Buffer.concat(rebuilt))
    },
  }
}

/**
 * Wraps an HTTP client so that the upload-pack ref advertisement is fetched once: the first
 * successful `GET .../info/refs?service=git-upload-pack` is kept and replayed to the same request
 * (same URL and credentials) made later through this wrapper. `fetchBranches` lists the remote's refs and then fetches; with
 * this the fetch's own discovery costs no second round trip, and it sees the very refs that were
 * just compared. Use a fresh wrapper per fetch round.
 */
export function replayDiscovery(http: HttpClient): HttpClient {
  const kept = new Map<string, { response: GitHttpResponse; body: Buffer }>()
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      const discovery = (request.method ?? 'GET') === 'GET' && request.url.includes('/info/refs?service=git-upload-pack')
      // Keyed by credentials too: a request without them must still get its 401 and go through
      // isomorphic-git's onAuth, which is how the following POST learns the credentials.
      const headers = request.headers ?? {}
      const key = `${request.url}\n${headers.Authorization ?? headers.authorization ?? ''}`
      const hit = discovery ? kept.get(key) : undefined
      if (hit) return { ...hit.response, body: (async function* () { yield hit.body })() }
      const response = await http.request(request)
      if (!discovery || response.statusCode !== 200 || !response.body) return response
      const chunks: Uint8Array[] = []
      for await (const chunk of response.body) chunks.push(chunk)
      const body = Buffer.concat(chunks)
      kept.set(key, { response, body })
      return { ...response, body: (async function* () { yield body })() }
    },
  }
}
