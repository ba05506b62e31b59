// Benchmark: the git store under the sync agent's loop. A repository of generated manifests is
// served by git's own smart-HTTP backend on loopback; the figures are a cold sync (clone + read),
// a one-file-change sync, a steady-state poll with no change (CPU), and a status commit against
// native git plumbing doing the same write in the same run.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import git from 'isomorphic-git'
import http from 'isomorphic-git/http/node'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { createGitStoreCache, fetchRemote, readDesired, readStatus, writeStatusCommit } from '@planspec/git-store'
import { VALIDATION_WORKER_URL } from '@planspec/validator'
import { createBareRepo, FIXTURE_EPOCH, pushFixture } from '@planspec/testing'
import { generateManifests } from './generate-manifests.mjs'

// The git server runs in a child process, so that its work (the HTTP server, spawning the CGI)
// is not counted in this process's CPU time, and its spawns do not fork this large process.
const SERVER = `
import { startGitServer } from '@planspec/testing'
const server = await startGitServer({ root: process.argv[1] })
process.stdout.write(JSON.stringify({ port: server.port }) + '\\n')
process.stdin.on('end', () => server.close().then(() => process.exit(0)))
process.stdin.resume()
`

/** Starts the loopback git server in a child process; resolves with its URL maker and a stop. */
function startServerProcess(root) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER, root], { cwd: new URL('.', import.meta.url).pathname, shell: false, stdio: ['pipe', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.stdout.once('data', (line) => {
      const { port } = JSON.parse(String(line))
      resolve({ url: (repo) => `http://127.0.0.1:${port}/${repo}`, close: () => new Promise((done) => (child.on('exit', done), child.stdin.end())) })
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Wall time and CPU time (user + system, this process only) of an async call. */
async function measure(fn) {
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  const result = await fn()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  const used = process.cpuUsage(cpu)
  return { ms, cpuMs: (used.user + used.system) / 1000, result }
}

/** Native git with an argv (never a shell), hermetic config; resolves with stdout. */
function gitNative(args, { cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, shell: false, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' } })
    const out = []
    const err = []
    child.stdout.on('data', (c) => out.push(c))
    child.stderr.on('data', (c) => err.push(c))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`git ${args[0]}: ${Buffer.concat(err)}`))))
    child.stdin.on('error', () => undefined)
    child.stdin.end(input ?? '')
  })
}

/**
 * The same status write with native plumbing: hash-object per file, ls-tree + mktree for every
 * directory on a changed path (deepest first), commit-tree, then a compare-and-swap update-ref.
 */
async function nativeStatusCommit(gitdir, ref, base, files, message) {
  const cwd = gitdir
  const parent = (path) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '')
  const name = (path) => path.slice(path.lastIndexOf('/') + 1)
  const blobs = new Map()
  for (const [path, text] of files) blobs.set(path, (await gitNative(['hash-object', '-w', '--stdin'], { cwd, input: text })).trim())
  const touched = new Set([''])
  for (const path of blobs.keys()) for (let dir = parent(path); dir; dir = parent(dir)) touched.add(dir)
  const trees = new Map()
  for (const dir of [...touched].sort((a, b) => b.split('/').length - a.split('/').length || (b < a ? -1 : 1))) {
    const listing = await gitNative(['ls-tree', `${base}:${dir}`], { cwd }).catch(() => '')
    const entries = new Map(listing.split('\n').filter(Boolean).map((line) => [line.slice(line.indexOf('\t') + 1), line.slice(0, line.indexOf('\t'))]))
    for (const [path, oid] of blobs) if (parent(path) === dir) entries.set(name(path), `100644 blob ${oid}`)
    for (const [sub, oid] of trees) if (sub !== dir && parent(sub) === dir) entries.set(name(sub), `040000 tree ${oid}`)
    const input = [...entries].map(([entry, value]) => `${value}\t${entry}`).join('\n') + '\n'
    trees.set(dir, (await gitNative(['mktree'], { cwd, input })).trim())
  }
  const commit = (await gitNative(['commit-tree', trees.get(''), '-p', base, '-m', message], { cwd })).trim()
  await gitNative(['update-ref', ref, commit, base], { cwd })
  return commit
}

/**
 * Samples memory while `fn` runs; resolves with its result, the highest heapUsed of this thread
 * seen and the highest RSS of the process (which holds the worker threads' heaps too).
 */
async function withPeakHeap(fn) {
  let peak = process.memoryUsage().heapUsed
  let peakRss = process.memoryUsage().rss
  const sample = () => {
    const memory = process.memoryUsage()
    peak = Math.max(peak, memory.heapUsed)
    peakRss = Math.max(peakRss, memory.rss)
  }
  const timer = setInterval(sample, 20)
  try {
    const result = await fn()
    sample()
    return { result, peakMiB: peak / 1048576, peakRssMiB: peakRss / 1048576 }
  } finally {
    clearInterval(timer)
  }
}

/**
 * The raw loop over the blobs a read validated: each blob read from the same object database (the
 * same isomorphic-git and pack cache), parsed with js-yaml (core schema) and checked with the
 * validator's precompiled ajv validators. No tree walk, no positions, no semantics, nothing kept.
 */
async function rawLoop(repo, oids) {
  const validatorIndex = createRequire(import.meta.url).resolve('@planspec/validator')
  const { loadAll, CORE_SCHEMA } = createRequire(validatorIndex)('js-yaml')
  const validators = await import(pathToFileURL(join(validatorIndex, '..', 'generated/schema-validators.js')).href)
  let invalid = 0
  for (const oid of oids) {
    const { blob } = await git.readBlob({ fs: repo.fs, gitdir: repo.dir, oid, cache: repo.cache.objects })
    for (const document of loadAll(Buffer.from(blob).toString('utf8'), null, { schema: CORE_SCHEMA })) if (!validators[document?.kind]?.(document)) invalid++
  }
  return invalid
}

/** Runs the benchmark and prints its figures. */
export async function run(args) {
  const count = Number(args.find((a) => a.startsWith('--count='))?.slice(8) ?? 10_000)
  const polls = Number(args.find((a) => a.startsWith('--polls='))?.slice(8) ?? 15)
  const root = mkdtempSync(join(tmpdir(), 'planspec-bench-agent-'))
  const server = await startServerProcess(root)
  try {
    let files = generateManifests(count)
    const bytes = files.reduce((n, f) => n + f.text.length, 0)
    const bare = await createBareRepo(root, 'plans.git')
    const seeded = await measure(() => pushFixture({ remote: bare, files: Object.fromEntries(files.map((f) => [f.file, f.text])) }))
    // Only the two files changed below stay in memory: the heap measured is the agent's.
    const targets = Object.fromEntries(['goals', 'plans'].map((kind) => [kind, files.find((f) => f.file.includes(`/${kind}/`))]))
    files = undefined
    // A git host keeps its repositories packed with bitmaps; so does this one after the seed.
    await gitNative(['repack', '-a', '-d', '-b', '-q'], { cwd: bare })
    console.log(`agent: ${count} manifests, ${(bytes / 1024 / 1024).toFixed(1)} MiB, served by git http-backend on loopback (fixture written in ${seeded.ms.toFixed(0)} ms)`)
    const url = server.url('plans.git')
    const cache = createGitStoreCache()
    // The agent validates a cold read's manifests in worker threads (planspec agent passes its
    // bundled worker script; here the validator package's own).
    const repo = { fs, http, dir: join(root, 'cache'), url, cache, timeoutMs: 120_000, validationWorkers: { workerUrl: VALIDATION_WORKER_URL } }

    const heapBefore = process.memoryUsage().heapUsed / 1048576
    const { result: coldParts, peakMiB, peakRssMiB } = await withPeakHeap(async () => {
      const fetched = await measure(() => fetchRemote({ ...repo, statusBranch: null }))
      const read = await measure(() => readDesired({ ...repo, fetch: false }))
      return { fetched, read }
    })
    const { fetched: coldFetch, read: coldRead } = coldParts
    const cold = { ms: coldFetch.ms + coldRead.ms, cpuMs: coldFetch.cpuMs + coldRead.cpuMs }
    const state = coldRead.result
    const errors = state.diagnostics.filter((d) => d.severity === 'error').length
    const memory = process.memoryUsage()
    console.log(`  cold sync:            ${cold.ms.toFixed(0)} ms wall (fetch ${coldFetch.ms.toFixed(0)} ms + read ${coldRead.ms.toFixed(0)} ms), ${cold.cpuMs.toFixed(0)} ms CPU (all threads); ${state.resources.size} resources, ${errors} errors, ${state.stats.blobsParsed} blobs parsed; peak heap ${peakMiB.toFixed(0)} MiB (${heapBefore.toFixed(0)} MiB before; goal <= 250 MiB), peak RSS ${peakRssMiB.toFixed(0)} MiB (workers included), heap after ${(memory.heapUsed / 1048576).toFixed(0)} MiB, RSS ${(memory.rss / 1048576).toFixed(0)} MiB; goal <= 20 s wall: ${cold.ms <= 20_000 ? 'met' : 'MISSED'}`)
    const oids = [...state.paths.values()].map((p) => p.oid)
    const raw = await measure(() => rawLoop(repo, oids))
    if (raw.result !== 0) throw new Error(`the raw loop found ${raw.result} invalid documents`)
    console.log(`  raw loop, same blobs: ${raw.ms.toFixed(0)} ms wall, ${raw.cpuMs.toFixed(0)} ms CPU (${oids.length} blobs read, js-yaml + ajv, one thread); the read took ${(coldRead.ms / raw.ms).toFixed(2)}x its wall and ${(coldRead.cpuMs / raw.cpuMs).toFixed(2)}x its CPU`)

    // One-file changes: fetch + incremental read. Native `git fetch` of the same change into a
    // native clone is the baseline of the transfer (the server's work is the same for both).
    const mirror = join(root, 'native-mirror.git')
    await gitNative(['clone', '--quiet', '--bare', url, mirror])
    let previous = state
    let round = 0
    for (const kind of ['goals', 'plans']) {
      const target = targets[kind]
      const syncs = []
      const natives = []
      for (let i = 0; i < 5; i++) {
        round++
        await pushFixture({ remote: bare, files: { [target.file]: target.text.replace('spec:\n  description: ', `spec:\n  description: (revision ${round}) `) }, date: FIXTURE_EPOCH + round })
        const sync = await measure(() => readDesired({ ...repo, previous }))
        if (sync.result.stats.blobsParsed !== 1 || sync.result.changed.modified.length !== 1) throw new Error(`expected one re-parsed blob and one modified resource, got ${JSON.stringify(sync.result.stats)} ${JSON.stringify(sync.result.changed)}`)
        syncs.push(sync)
        natives.push(await measure(() => gitNative(['fetch', '--quiet', url, 'refs/heads/main:refs/heads/main'], { cwd: mirror })))
        previous = sync.result
      }
      const change = { ms: median(syncs.map((c) => c.ms)), cpuMs: median(syncs.map((c) => c.cpuMs)) }
      const ratio = change.ms / cold.ms
      const nodes = (target.text.match(/^ {6}- id: /gm) ?? []).length
      console.log(`  one-file change sync (${kind.slice(0, -1)}${nodes ? `, ${nodes} nodes, ${(target.text.length / 1024).toFixed(0)} KiB` : ''}): median ${change.ms.toFixed(0)} ms wall, ${change.cpuMs.toFixed(0)} ms CPU over ${syncs.length} rounds; ${(ratio * 100).toFixed(2)}% of cold (goal <= 150 ms: ${change.ms <= 150 ? 'met' : 'MISSED'}); native git fetch of the same change ${median(natives.map((n) => n.ms)).toFixed(0)} ms wall`)
    }

    // Steady state: nothing changed, the poll is a ref check.
    const idle = []
    for (let i = 0; i < polls; i++) {
      const poll = await measure(() => readDesired({ ...repo, previous }))
      if (!poll.result.unchanged) throw new Error('the poll saw a change')
      idle.push(poll)
    }
    const idleCpu = median(idle.map((p) => p.cpuMs))
    console.log(`  steady-state poll:    median ${idleCpu.toFixed(1)} ms CPU (max ${Math.max(...idle.map((p) => p.cpuMs)).toFixed(1)}), ${median(idle.map((p) => p.ms)).toFixed(1)} ms wall over ${polls} polls (goal <= 20 ms CPU: ${idleCpu <= 20 ? 'met' : 'MISSED'})`)

    // Status: one document per resource first, then a typical round touching a few of them.
    const subjects = [...previous.resources.values()]
    const statusOf = (r, phase) => ({ kind: r.kind, namespace: r.namespace, name: r.name, identity: r.identity, observedGeneration: r.identity.generation, status: { phase, conditions: [{ type: 'Ready', status: 'True', reason: phase, lastTransitionTime: '2025-01-01T00:00:00Z' }] } })
    const initial = await measure(() => writeStatusCommit({ ...repo, base: null, sourceRevision: previous.revision, changes: subjects.map((r) => statusOf(r, 'Pending')), now: () => 1_700_000_000_000 }))
    console.log(`  initial status write: ${initial.ms.toFixed(0)} ms wall, ${initial.cpuMs.toFixed(0)} ms CPU for ${subjects.length} status files (one commit, pushed)`)
    const status = await readStatus({ ...repo })
    const touched = subjects.slice(0, 10)
    const ours = []
    const native = []
    const pushed = []
    let head = status.head
    for (let round = 1; round <= 5; round++) {
      const phase = `Round${round}`
      const localRef = `refs/heads/bench/ours-${round}`
      await git.writeRef({ fs, gitdir: repo.dir, ref: localRef, value: head, force: true })
      ours.push(await measure(() => writeStatusCommit({ fs, dir: repo.dir, cache, branch: `bench/ours-${round}`, base: head, sourceRevision: previous.revision, changes: touched.map((r) => statusOf(r, phase)), now: () => 1_700_000_000_000 + round })))
      // Native git writes the very same files (rendered by the store) on the same base.
      const rendered = new Map()
      const tree = (await git.readCommit({ fs, gitdir: repo.dir, oid: ours.at(-1).result.commit })).commit.tree
      for (const path of ours.at(-1).result.paths) {
        const { blob } = await git.readBlob({ fs, gitdir: repo.dir, oid: tree, filepath: path })
        rendered.set(path, Buffer.from(blob))
      }
      await git.writeRef({ fs, gitdir: repo.dir, ref: `refs/heads/bench/native-${round}`, value: head, force: true })
      native.push(await measure(() => nativeStatusCommit(repo.dir, `refs/heads/bench/native-${round}`, head, rendered, `status round ${round}`)))
      const nativeTree = (await gitNative(['rev-parse', `refs/heads/bench/native-${round}^{tree}`], { cwd: repo.dir })).trim()
      if (nativeTree !== tree) throw new Error(`native git wrote tree ${nativeTree}, the store ${tree}`)
      const remote = await measure(() => writeStatusCommit({ ...repo, base: head, sourceRevision: previous.revision, changes: touched.map((r) => statusOf(r, phase)), now: () => 1_700_000_000_000 + round }))
      pushed.push(remote)
      head = remote.result.commit
    }
    const oursMs = median(ours.map((o) => o.ms))
    const nativeMs = median(native.map((o) => o.ms))
    console.log(`  status commit (${touched.length} files, local plumbing): planspec ${oursMs.toFixed(1)} ms wall (${median(ours.map((o) => o.cpuMs)).toFixed(1)} ms CPU) vs native git plumbing ${nativeMs.toFixed(1)} ms wall; ratio planspec/native ${(oursMs / nativeMs).toFixed(2)} (same tree written)`)
    console.log(`  status commit with compare-and-swap push: median ${median(pushed.map((o) => o.ms)).toFixed(0)} ms wall, ${median(pushed.map((o) => o.cpuMs)).toFixed(0)} ms CPU`)
  } finally {
    await server.close()
    rmSync(root, { recursive: true, force: true })
  }
}
