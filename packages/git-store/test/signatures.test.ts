import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSshKey, pushFixture, runGit } from '@planspec/testing'
import { allowedSignerPrincipals, appendRequest, readRequests, signPayload, verifySshSignature, type RequestRecord } from '../src/index.js'
import { cleanup, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

const request = (by: string): string => `apiVersion: planspec.io/v1alpha1\nkind: Request\nid: ID\naction: approve\ntarget: { kind: Gate, namespace: default, name: release }\nby: ${by}\ngeneration: 1\n`

async function verdictOf(record: RequestRecord, allowedSigners: string) {
  return verifySshSignature({ payload: record.signed?.payload ?? new Uint8Array(), signature: record.signed?.signature, allowedSigners, identity: record.author.email })
}

describe('signed requests', () => {
  it('verifies commits signed by real `git commit -S` (SSH) and refuses unsigned, unknown, forged and altered ones with coded reasons', async () => {
    const remote = await startRemote()
    const keys = await tempDir()
    const alice = await createSshKey(keys, 'alice')
    const bob = await createSshKey(keys, 'bob')
    const stranger = await createSshKey(keys, 'stranger')
    const signers = `# who may sign requests\n${alice.allowedSigner('alice@example.org')}\n${bob.allowedSigner('bob@example.org')}\n`
    const push = (id: string, by: string, author: string, signingKey?: string) =>
      pushFixture({ remote: remote.bare, branch: 'planspec/status', files: { [`requests/${id}.yaml`]: request(by).replace('ID', id) }, author: { name: author, email: author }, ...(signingKey ? { signingKey } : {}) })
    await push('20300101T000000000Z-a', 'user:alice', 'alice@example.org', alice.keyFile)
    await push('20300101T000001000Z-b', 'user:mallory', 'mallory@example.org')
    await push('20300101T000002000Z-c', 'user:stranger', 'stranger@example.org', stranger.keyFile)
    // Mallory writes Alice's name as the author but can only sign with a key of her own (Bob's, say).
    await push('20300101T000003000Z-d', 'user:alice', 'alice@example.org', bob.keyFile)
    const log = await readRequests(await remote.agent())
    const verdicts = await Promise.all(log.requests.map((r) => verdictOf(r, signers)))
    expect(verdicts.map((v) => (v.verified ? `ok ${v.identity}` : v.reason))).toEqual(['ok alice@example.org', 'Unsigned', 'UnknownSigner', 'SignerMismatch'])
    // The same signature over other bytes (an altered commit) does not verify.
    const altered = { ...log.requests[0]!, signed: { ...log.requests[0]!.signed!, payload: Buffer.from(Buffer.from(log.requests[0]!.signed!.payload).toString().replace('fixture', 'fixtures')) } }
    expect(await verdictOf(altered, signers)).toMatchObject({ verified: false, reason: 'BadSignature' })
    expect(allowedSignerPrincipals(`${signers}*@example.org ${stranger.publicKey}\n"carol@example.org,dave@example.org" namespaces="git" ${stranger.publicKey}\n`)).toEqual(['alice@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.org'])
  })

  it('signs a request commit that `git verify-commit` accepts under the same allowed-signers file', async () => {
    const remote = await startRemote()
    const keys = await tempDir()
    const alice = await createSshKey(keys, 'alice')
    const signersFile = join(keys, 'allowed_signers')
    await writeFile(signersFile, `${alice.allowedSigner('alice@example.org')}\n`)
    const result = await appendRequest({
      ...(await remote.agent()),
      request: { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'release' }, by: 'email:alice@example.org', generation: 1 },
      author: { name: 'Alice', email: 'alice@example.org' },
      sign: (payload) => signPayload(payload, { keyFile: alice.keyFile }),
    })
    const verified = await runGit(['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${signersFile}`, 'verify-commit', '--raw', result.commit], { cwd: remote.bare })
    expect(verified.stderr).toContain('Good "git" signature for alice@example.org')
    const [record] = (await readRequests(await remote.agent())).requests
    expect(await verdictOf(record!, `${alice.allowedSigner('alice@example.org')}\n`)).toEqual({ verified: true, identity: 'alice@example.org' })
    await expect(signPayload('x', { keyFile: join(keys, 'missing') })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
  })
})
