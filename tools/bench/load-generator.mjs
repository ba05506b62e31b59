// The load generator of the server benchmark, in a process of its own: wrk (C, epoll), driven by
// wrk-requests.lua, which rotates bearer tokens and paths and prints its figures as one JSON line.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('./wrk-requests.lua', import.meta.url))
const MARK = 'WRK_RESULT '

/** Tells whether wrk is installed (`apt-get install wrk`). */
export function hasWrk() {
  return spawnSync('wrk', ['--version']).error === undefined
}

/**
 * Runs wrk against `base` (a URL without a path) for `seconds` with `connections` keep-alive
 * connections on one thread, each request carrying one of the tokens of `tokensFile` and one of
 * `paths` in turn. Returns `{ rps, requests, p50Ms, p90Ms, p99Ms, maxMs, non2xx, socketErrors }`.
 */
export function runWrk({ base, paths, tokensFile, seconds, connections = 16 }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', SCRIPT, base, '--', tokensFile, ...paths]
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (err += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(MARK))
      if (code !== 0 || line === undefined) return reject(new Error(`wrk exited ${code}: ${err || out}`))
      const r = JSON.parse(line.slice(MARK.length))
      const e = r.errors
      resolve({
        rps: r.requests / (r.durationUs / 1e6),
        requests: r.requests,
        p50Ms: r.latencyUs.p50 / 1000,
        p90Ms: r.latencyUs.p90 / 1000,
        p99Ms: r.latencyUs.p99 / 1000,
        maxMs: r.latencyUs.max / 1000,
        non2xx: e.status,
        socketErrors: e.connect + e.read + e.write + e.timeout,
      })
    })
  })
}
