// Benchmark: what the git-mode trust model costs (issue "gates that cannot be bypassed"). Each
// figure is a ratio against a baseline measured in the same run on the same data:
// - a status commit of 10 files on a 2,000-file status branch, proven with the agents' key,
//   against the same commit without a proof;
// - reading the status branch after a one-file change by a person (a request commit on top of a
//   proven head), with the key (finding the proven commit), against the same read without it;
// - verifying one signed request with ssh-keygen (what the agent does once per request), against
//   native `git verify-commit` of the same commit.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appendRequest, createAgentKeyring, createGitStoreCache, readRequests, readStatus, signPayload, verifySshSignature, writeStatusCommit } from '@planspec/git-store'
import { createSshKey } from '@planspec/testing'

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const time = async (fn) => {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

/** Runs the benchmark and prints its figures. */
export async function run() {
  console.log('trust: proven status commits, proven status reads, signed request verification (medians, ratios to same-run baselines)')
  const root = mkdtempSync(join(tmpdir(), 'bench-trust-'))
  const keyring = createAgentKeyring([randomBytes(32)])
  const make = (name) => {
    const dir = join(root, name)
    spawnSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir])
    return { fs, dir, cache: createGitStoreCache() }
  }
  const statuses = (n, phase) => Array.from({ length: n }, (_, i) => ({ kind: 'Goal', namespace: `ns${i % 20}`, name: `g${i}`, status: { phase, conditions: [{ type: 'Ready', status: 'True', reason: 'Ok', lastTransitionTime: '2030-01-01T00:00:00Z' }] } }))
  const plain = make('plain')
  const proven = make('proven')
  const source = 'a'.repeat(40)
  await writeStatusCommit({ ...plain, base: null, sourceRevision: source, changes: statuses(2000, 'Ready') })
  await writeStatusCommit({ ...proven, base: null, sourceRevision: source, changes: statuses(2000, 'Ready'), agentKey: keyring })
  const writes = { plain: [], proven: [] }
  for (let round = 0; round < 15; round++) {
    const changes = statuses(10, `P${round}`).map((c, i) => ({ ...c, name: `g${i * 37}`, namespace: `ns${(i * 37) % 20}` }))
    writes.plain.push(await time(async () => writeStatusCommit({ ...plain, base: (await readStatus(plain)).revision, sourceRevision: source, changes })))
    writes.proven.push(await time(async () => writeStatusCommit({ ...proven, base: (await readStatus({ ...proven, agentKey: keyring })).revision, sourceRevision: source, changes, agentKey: keyring })))
  }
  const w = { plain: median(writes.plain), proven: median(writes.proven) }
  console.log(JSON.stringify({ measure: 'status commit, 10 of 2,000 files (read + write)', baselineMs: +w.plain.toFixed(1), provenMs: +w.proven.toFixed(1), ratio: +(w.proven / w.plain).toFixed(2) }))

  const reads = { plain: [], proven: [] }
  let plainSnap = await readStatus(plain)
  let provenSnap = await readStatus({ ...proven, agentKey: keyring })
  for (let round = 0; round < 15; round++) {
    const request = { action: 'approve', target: { kind: 'Gate', namespace: 'ns1', name: 'g' }, by: 'user:alice', generation: 1 }
    await appendRequest({ ...plain, request })
    await appendRequest({ ...proven, request })
    reads.plain.push(await time(async () => (plainSnap = await readStatus({ ...plain, previous: plainSnap }))))
    reads.proven.push(await time(async () => (provenSnap = await readStatus({ ...proven, previous: provenSnap, agentKey: keyring }))))
  }
  const r = { plain: median(reads.plain), proven: median(reads.proven) }
  console.log(JSON.stringify({ measure: 'status read after a request commit (incremental)', baselineMs: +r.plain.toFixed(1), provenMs: +r.proven.toFixed(1), ratio: +(r.proven / r.plain).toFixed(2), tampered: provenSnap.tampered.length }))

  const key = await createSshKey(root, 'alice')
  const signers = `${key.allowedSigner('alice@example.org')}\n`
  writeFileSync(join(root, 'allowed_signers'), signers)
  const signed = make('signed')
  const { commit } = await appendRequest({ ...signed, request: { action: 'approve', target: { kind: 'Gate', namespace: 'ns1', name: 'g' }, by: 'email:alice@example.org', generation: 1 }, author: { name: 'Alice', email: 'alice@example.org' }, sign: (payload) => signPayload(payload, { keyFile: key.keyFile }) })
  const [record] = (await readRequests(signed)).requests
  const verify = { git: [], planspec: [] }
  for (let round = 0; round < 15; round++) {
    verify.git.push(await time(async () => spawnSync('git', ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${join(root, 'allowed_signers')}`, 'verify-commit', commit], { cwd: signed.dir })))
    verify.planspec.push(await time(() => verifySshSignature({ payload: record.signed.payload, signature: record.signed.signature, allowedSigners: signers, identity: 'alice@example.org' })))
  }
  const v = { git: median(verify.git), planspec: median(verify.planspec) }
  console.log(JSON.stringify({ measure: 'verify one signed request', baselineGitVerifyCommitMs: +v.git.toFixed(1), planspecMs: +v.planspec.toFixed(1), ratio: +(v.planspec / v.git).toFixed(2) }))
  fs.rmSync(root, { recursive: true, force: true })
}
