// HTTP(S) clients of the server benchmark: requests, paced writes and watch fan-out, from the
// benchmark's own process (the GET and LIST load comes from wrk, see load-generator.mjs).
import http from 'node:http'
import https from 'node:https'

export const API = '/apis/planspec.io/v1alpha1'
export const ADMIN = 'bench-admin-token'
/** The bearer token of reader number `i` (1-based) of the benchmark's tokens file. */
export const readerToken = (i) => `bench-reader-${i}-${'k'.repeat(16)}`
/** A Goal manifest. */
export const goal = (name, namespace, extra = {}) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name, namespace, ...extra }, spec: { description: `goal ${name}` } })
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// The CA that HTTPS clients trust (the self-signed certificate of the TLS round), set per suite.
let trusted
/** Makes HTTPS clients trust `cert` (PEM), or only the system's CAs with undefined. */
export function trust(cert) {
  trusted = cert
}
const moduleFor = (url) => (String(url).startsWith('https:') ? https : http)
const newAgent = (base, options) => new (moduleFor(base).Agent)({ ...options, ...(trusted === undefined ? {} : { ca: trusted }) })

/** Sends one request with a bearer token; resolves `{ status, body }`. */
export function send(base, method, path, token, payload, options = {}) {
  return new Promise((resolve, reject) => {
    const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload))
    const url = new URL(path, base)
    const headers = { authorization: `Bearer ${token}`, ...(data ? { 'content-type': options.contentType ?? 'application/json', 'content-length': data.length } : {}) }
    const req = moduleFor(base).request(url, { method, ...(options.agent === undefined ? {} : { agent: options.agent }), ...(trusted === undefined ? {} : { ca: trusted }), headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(data)
  })
}
/** Awaits a request and throws unless it answered `expected`. */
export async function must(promise, expected, what) {
  const res = await promise
  if (res.status !== expected) throw new Error(`${what}: ${res.status} ${res.body}`)
  return res
}

/** POSTs Goals (named `prefix-N`) at `rate` per second for `seconds`, open loop; returns the achieved rate and latencies. */
export async function writeLatency(base, rate, seconds, prefix = 'w') {
  const agent = newAgent(base, { keepAlive: true, maxSockets: 64 })
  const total = rate * seconds
  const interval = 1000 / rate
  const latencies = []
  const start = performance.now()
  const pending = []
  for (let i = 0; i < total; i++) {
    const scheduled = start + i * interval
    const wait = scheduled - performance.now()
    if (wait > 1) await sleep(wait)
    // 50 writers in turn: each stays at 10 writes/s, under the per-user rate limit.
    pending.push(
      must(send(base, 'POST', `${API}/namespaces/default/goals`, readerToken(100 + (i % 50)), goal(`${prefix}-${i}`, 'default'), { agent }), 201, `write ${i}`).then(() => {
        // Measured from the scheduled send time: a stall delays every write behind it (no coordinated omission).
        latencies.push(performance.now() - scheduled)
      }),
    )
  }
  await Promise.all(pending)
  const elapsed = (performance.now() - start) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { achieved: total / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) }
}

/** Opens `watchers` watch streams, makes `changes` changes and returns the delivery latencies. */
export async function fanOut(base, watchers, changes) {
  // Arrival times are taken as chunks come in and parsed after the run, so parsing does not delay them.
  const arrivals = Array.from({ length: watchers }, () => [])
  const requests = []
  const open = (i) =>
    new Promise((resolve, reject) => {
      const url = new URL(`${API}/namespaces/default/goals?watch=true&sendInitialEvents=false&fieldSelector=metadata.name%3Dfan`, base)
      // Eight source addresses: the server's cap of 256 connections per address stays at its default.
      const req = moduleFor(base).get(url, { agent: false, ...(trusted === undefined ? {} : { ca: trusted }), localAddress: `127.0.0.${1 + (i % 8)}`, headers: { authorization: `Bearer ${readerToken(i + 1)}` } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`watch ${i}: ${res.statusCode}`))
        res.on('data', (chunk) => arrivals[i].push([Date.now(), chunk]))
        resolve()
      })
      req.on('error', reject)
      requests.push(req)
    })
  // Opened 50 at a time, as clients connect over time (not 1,000 handshakes in one burst).
  for (let i = 0; i < watchers; i += 50) await Promise.all(Array.from({ length: Math.min(50, watchers - i) }, (_, j) => open(i + j)))
  const agent = newAgent(base, { keepAlive: true, maxSockets: 4 })
  await must(send(base, 'POST', `${API}/namespaces/default/goals`, ADMIN, goal('fan', 'default'), { agent }), 201, 'create fan')
  const sent = []
  for (let i = 0; i < changes; i++) {
    await sleep(20)
    const stamp = String(Date.now())
    sent.push(stamp)
    // A merge patch: the controllers' status writes in between do not make it a conflict.
    await must(send(base, 'PATCH', `${API}/namespaces/default/goals/fan`, ADMIN, { metadata: { annotations: { 'bench/sent': stamp } } }, { agent, contentType: 'application/merge-patch+json' }), 200, 'patch fan')
  }
  const delivered = () => arrivals.reduce((n, list) => n + list.length, 0)
  const deadline = Date.now() + 15_000
  let last = -1
  while (Date.now() < deadline) {
    await sleep(500)
    const now = delivered()
    if (now === last) break
    last = now
  }
  for (const req of requests) req.destroy()
  agent.destroy()
  // The first delivery of each change to each watcher (controllers may write the status after it).
  const latencies = []
  for (const list of arrivals) {
    const seen = new Set()
    let buffer = ''
    for (const [at, chunk] of list) {
      buffer += chunk
      for (let n = buffer.indexOf('\n'); n >= 0; n = buffer.indexOf('\n')) {
        const event = JSON.parse(buffer.slice(0, n))
        buffer = buffer.slice(n + 1)
        const stamp = event.object?.metadata?.annotations?.['bench/sent']
        if (stamp !== undefined && !seen.has(stamp)) {
          seen.add(stamp)
          latencies.push(at - Number(stamp))
        }
      }
    }
  }
  latencies.sort((a, b) => a - b)
  return { delivered: latencies.length, expected: watchers * changes, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) }
}

