// "Did you mean" for resource names (issue 14): get, describe, wait, approve and graph with a name
// that does not exist suggest the closest existing names of that kind in that namespace, with the
// same message in git mode (a repository over real git smart HTTP) and server mode (`planspec
// serve`), through the bundled binary.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { createBareRepo, createSshKey, pushFixture, startGitServer, type GitServer } from '@planspec/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { REPO, runBin } from './helpers.js'
import { startServe, type ServeProcess } from './serve-process.js'

const execFileAsync = promisify(execFile)
const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const doc = (kind: string, name: string, spec: unknown, namespace = 'default'): string => stringify({ apiVersion: 'planspec.io/v1alpha1', kind, metadata: { name, namespace }, spec })
const FILES: Record<string, string> = {
  '.planspec.yaml': 'namespace: default\n',
  'planspec/goal.yaml': doc('Goal', 'ship', { description: 'Ship it' }),
  'planspec/capability.yaml': doc('Capability', 'shipping', { description: 'Ships things' }),
  'planspec/plan.yaml': doc('Plan', 'ship-plan', { description: 'One step', goalRef: { name: 'ship' }, graph: { nodes: [{ id: 'build', kind: 'Task', name: 'Build', capabilityRefs: [{ name: 'shipping' }] }] } }),
  'planspec/gate.yaml': doc('Gate', 'ship-approval', { gateType: 'approval', requiredApprovers: 1, targetRef: { kind: 'Plan', name: 'ship-plan' } }),
  'planspec/execution-1.yaml': doc('Execution', 'ship-1', { goalRef: { name: 'ship' }, planRef: { name: 'ship-plan' } }),
  'planspec/execution-2.yaml': doc('Execution', 'ship-2', { goalRef: { name: 'ship' }, planRef: { name: 'ship-plan' } }),
  // Another namespace's names are not suggested for namespace default.
  'planspec/elsewhere.yaml': doc('Execution', 'shop-1', { planRef: { name: 'shop-plan' } }, 'team-b') + '---\n' + doc('Plan', 'shop-plan', { description: 'x', graph: { nodes: [{ id: 'a', kind: 'Task', name: 'A' }] } }, 'team-b'),
}

let root: string
let git: GitServer
let serve: ServeProcess
let env: Record<string, string>
let url: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-names-'))
  git = await startGitServer({ root })
  serve = await startServe(BIN, root)
  // A signing key is configured (git mode checks it before it looks the Gate up).
  const key = await createSshKey(root, 'editor')
  writeFileSync(join(root, 'gitconfig'), `[user]\n\tname = editor\n\temail = editor@example.com\n\tsigningKey = ${key.keyFile}\n[gpg]\n\tformat = ssh\n`)
  env = { PATH: process.env.PATH ?? '', HOME: root, GIT_CONFIG_GLOBAL: join(root, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1', XDG_CACHE_HOME: join(root, 'cache'), PLANSPEC_CONFIG: join(root, 'planspec-config'), PLANSPEC_LOG_LEVEL: 'warn' }
  const bare = await createBareRepo(root, 'names.git')
  await pushFixture({ remote: bare, files: FILES })
  url = git.url('names.git')
  const dir = mkdtempSync(join(root, 'apply-'))
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  await execFileAsync(process.execPath, [BIN, 'apply', '-f', join(dir, 'planspec'), '--server', serve.url], { env: { ...env, ...serve.env } })
}, 120_000)
afterAll(async () => {
  await serve?.stop()
  await git?.close()
})

function planspec(args: readonly string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runBin(BIN, args, { cwd: root, env: { ...env, ...extra }, timeoutMs: 120_000 })
}

const MODES = {
  git: () => ({ args: ['--repo', url], env: {}, target: new URL(url).toString() }),
  server: () => ({ args: ['--server', serve.url], env: serve.env, target: serve.url }),
}

describe('did you mean, for names', () => {
  it.each([
    ['get', ['get', 'execution', 'shp-1', '-n', 'default'], 'error: execution "shp-1" not found in namespace "default" (did you mean "ship-1" or "ship-2"?)\n'],
    ['describe', ['describe', 'execution', 'ship-3', '-n', 'default'], 'error: execution "ship-3" not found in namespace "default" (did you mean "ship-1" or "ship-2"?)\n'],
    ['approve', ['approve', 'ship-aproval', '-n', 'default'], 'error: gate/ship-aproval: approval refused: NotFound: gate "ship-aproval" not found in namespace "default" (did you mean "ship-approval"?)\n'],
    ['get, nothing close', ['get', 'plan', 'zzz', '-n', 'default'], 'error: plan "zzz" not found in namespace "default"\n'],
  ])('%s suggests the closest names of the kind in the namespace, the same in both modes', async (_name, args, expected) => {
    for (const mode of Object.values(MODES)) {
      const where = mode()
      const result = await planspec([...args, ...where.args], where.env)
      expect(result.code, `${where.target}: ${result.stderr}`).toBe(1)
      expect(result.stderr).toBe(expected)
    }
  }, 300_000)

  it.each([
    ['wait', ['wait', 'execution', 'shp-1', '-n', 'default', '--for=phase=Succeeded', '--timeout', '5s'], 'error: execution "shp-1" not found in namespace "default" (did you mean "ship-1" or "ship-2"?) at '],
    ['graph', ['graph', 'ship-paln', '-n', 'default'], 'error: plan "ship-paln" not found in namespace "default" (did you mean "ship-plan"?) at '],
  ])('%s suggests them too, naming where it looked', async (_name, args, expected) => {
    for (const mode of Object.values(MODES)) {
      const where = mode()
      const result = await planspec([...args, ...where.args], where.env)
      expect(result.code, result.stderr).toBe(1)
      expect(result.stderr).toBe(`${expected}${where.target}\n`)
    }
  }, 300_000)
})
