// Test support for scale-out: real `planspec serve` processes (the bundled binary) sharing one
// PostgreSQL database of a throw-away cluster, their JSON log lines parsed, and the API called
// with a token of system:masters.
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, vi } from 'vitest'
import type { PostgresCluster } from '@planspec/testing'
import { REPO } from './helpers.js'

export const BIN = join(REPO, 'packages/cli/bin/planspec.js')
export const NODE = process.execPath
export const TOKEN = 'admin-replicas-token'
export const API = '/apis/planspec.io/v1alpha1/namespaces/default'
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }

/** One running `planspec serve` replica. */
export interface Replica {
  readonly child: ChildProcess
  readonly url: string
  /** Its log so far, one parsed JSON object per line. */
  lines(): Record<string, unknown>[]
  /** Its output so far, as printed. */
  text(): string
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>
}

/** Writes the tokens file every replica reads (one identity of system:masters). */
export function writeTokens(work: string): string {
  const file = join(work, 'tokens.csv')
  writeFileSync(file, `${TOKEN},admin,system:masters\n`)
  return file
}

/**
 * Starts `planspec serve --db postgres://...` (no password in the URL: it comes in PGPASSWORD),
 * on a free loopback port, and waits for its `listening on URL` line (the store is loaded by then).
 */
export async function startReplica(cluster: PostgresCluster, database: string, work: string, extra: readonly string[] = []): Promise<Replica> {
  const args = [BIN, 'serve', '--insecure-http', '--db', cluster.url(database), '--listen', '127.0.0.1:0', '--tokens', join(work, 'tokens.csv'), '--workspace', join(work, 'runs'), '--allow-command', NODE, '--no-dashboard', ...extra]
  const child = spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, PGPASSWORD: cluster.password, PLANSPEC_LOG_LEVEL: 'info' } })
  let text = ''
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const lines = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`planspec serve exited (${child.exitCode}): ${text}`)
      expect(lines().some((line) => typeof line.url === 'string')).toBe(true)
    },
    { timeout: 60_000, interval: 50 },
  )
  const url = lines().find((line) => typeof line.url === 'string')!.url as string
  return { child, url, lines, text: () => text, exited }
}

/** Stops replicas that still run (SIGCONT first for a paused one). */
export async function stopReplicas(replicas: readonly Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(async (replica) => {
      if (replica.child.exitCode !== null || replica.child.signalCode !== null) return
      replica.child.kill('SIGCONT')
      replica.child.kill('SIGTERM')
      const killed = setTimeout(() => replica.child.kill('SIGKILL'), 15_000)
      await replica.exited
      clearTimeout(killed)
    }),
  )
}

/** Calls the API of a replica; resolves with the status and the parsed body. */
export async function call(replica: Replica, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${replica.url}${path}`, { method, headers: HEADERS, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const text = await response.text()
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) }
}

/**
 * A Role manifest granting `get` on one named Goal: a kind no controller writes a status for, so
 * every event a watcher sees is one of the test's own writes.
 */
export const role = (name: string, goalName: string, resourceVersion?: string): Record<string, unknown> => ({
  apiVersion: 'planspec.io/v1alpha1',
  kind: 'Role',
  metadata: { name, namespace: 'default', ...(resourceVersion === undefined ? {} : { resourceVersion }) },
  rules: [{ resources: ['goals'], verbs: ['get'], resourceNames: [goalName] }],
})

/** The `metadata` of an API object. */
export const metadataOf = (object: Record<string, unknown>): { name: string; resourceVersion: string } => object.metadata as { name: string; resourceVersion: string }

/** A watch stream on a replica: every event line, parsed, as it arrives. */
export interface WatchStream {
  events(): { type: string; object: Record<string, unknown> }[]
  /** Why the stream ended, once it did (`undefined` while it runs). */
  ended(): string | undefined
  stop(): void
}

/** Opens `GET .../KIND?watch=true&resourceVersion=RV` on a replica and collects its events. */
export async function openWatch(replica: Replica, kind: string, resourceVersion: string): Promise<WatchStream> {
  const abort = new AbortController()
  const response = await fetch(`${replica.url}${API}/${kind}?watch=true&resourceVersion=${resourceVersion}`, { headers: HEADERS, signal: abort.signal })
  expect(response.status).toBe(200)
  const collected: { type: string; object: Record<string, unknown> }[] = []
  let pending = ''
  let ended: string | undefined
  const reading = (async () => {
    const decoder = new TextDecoder()
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true })
      const parts = pending.split('\n')
      pending = parts.pop()!
      for (const line of parts) if (line !== '') collected.push(JSON.parse(line) as { type: string; object: Record<string, unknown> })
    }
  })()
  reading.then(
    () => (ended = 'the server ended the stream'),
    (error: unknown) => (ended = String(error)),
  )
  return { events: () => collected, ended: () => ended, stop: () => abort.abort() }
}

/** The replica whose process holds the lease named `name` (the holder is `<host>/<pid>/<random>`). */
export async function leaseHolder(cluster: PostgresCluster, database: string, replicas: readonly Replica[], name: string): Promise<Replica | undefined> {
  const holder = await cluster.psql(database, `SELECT holder FROM planspec.leases WHERE name = '${name}' AND expires_at > now()`)
  const pid = Number(holder.split('/').at(-2))
  return replicas.find((replica) => replica.child.pid === pid)
}
