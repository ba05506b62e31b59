import * as fs from 'node:fs'
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PassThrough } from 'node:stream'
import http from 'isomorphic-git/http/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectFiles } from '@planspec/cli'
import { createGitStoreCache, readDesired } from '@planspec/git-store'
import { readWorkspace, type ActionFs } from '@planspec/github-action'
import { createBareRepo, pushFixture, startGitServerProcess, type GitServer } from '@planspec/testing'
import { createFileSelection, createValidator, DEFAULT_LIMITS } from '@planspec/validator'

// One question, one answer (issue 12): the same `.planspec.yaml` `paths`/`exclude` pick the same
// files in the CLI (`planspec validate DIR`), the agent (git-store's desired state, read over real
// smart HTTP) and the Action (its checkout walk). Every YAML file of the tree is a PlanSpec Goal,
// so the sets differ only by the path rules.
const TREE = [
  'a.yaml',
  'b.yml',
  'C.YAML',
  'notes.md',
  '.hidden.yaml',
  '.github/ci.yaml',
  'plans/a.yaml',
  'plans/b.yaml',
  'plans/c.yaml',
  'plans/sub/d.yaml',
  'plans/.e.yaml',
  'node_modules/pkg/x.yaml',
  'dist/out.yaml',
]
const DEFAULT = ['C.YAML', 'a.yaml', 'b.yml', 'plans/a.yaml', 'plans/b.yaml', 'plans/c.yaml', 'plans/sub/d.yaml']

interface Case {
  readonly name: string
  readonly paths?: readonly string[]
  readonly exclude?: readonly string[]
  readonly expected: readonly string[]
}

const CASES: readonly Case[] = [
  { name: 'no config: every YAML file outside dot folders and skipped directories', expected: DEFAULT },
  { name: '*.yaml stays at the root', paths: ['*.yaml'], expected: ['a.yaml'] },
  { name: 'plans/*.yaml stays in one folder', paths: ['plans/*.yaml'], expected: ['plans/a.yaml', 'plans/b.yaml', 'plans/c.yaml'] },
  { name: 'plans/**/*.yaml spans folders', paths: ['plans/**/*.yaml'], expected: ['plans/a.yaml', 'plans/b.yaml', 'plans/c.yaml', 'plans/sub/d.yaml'] },
  { name: 'braces alternate', paths: ['plans/{a,b}.yaml'], expected: ['plans/a.yaml', 'plans/b.yaml'] },
  { name: 'a trailing slash means everything below', paths: ['plans/'], expected: ['plans/a.yaml', 'plans/b.yaml', 'plans/c.yaml', 'plans/sub/d.yaml'] },
  { name: '** is every YAML file, dot files aside', paths: ['**'], expected: DEFAULT },
  { name: './ is the config folder', paths: ['./plans/*.yaml'], expected: ['plans/a.yaml', 'plans/b.yaml', 'plans/c.yaml'] },
  { name: 'a class matches one character of the set', paths: ['plans/[ab].yaml'], expected: ['plans/a.yaml', 'plans/b.yaml'] },
  { name: '? matches one character', paths: ['plans/?.yaml'], expected: ['plans/a.yaml', 'plans/b.yaml', 'plans/c.yaml'] },
  { name: 'a negated pattern in paths excludes', paths: ['**/*.yaml', '!plans/b.yaml'], expected: ['a.yaml', 'plans/a.yaml', 'plans/c.yaml', 'plans/sub/d.yaml'] },
  { name: 'exclude removes what paths chose', paths: ['plans/**'], exclude: ['plans/sub/**'], expected: ['plans/a.yaml', 'plans/b.yaml', 'plans/c.yaml'] },
  { name: 'a dot folder is read when the pattern spells it', paths: ['.github/*.yaml'], expected: ['.github/ci.yaml'] },
  { name: 'dot files are read when the pattern spells the dot', paths: ['**/.*.yaml'], expected: ['.hidden.yaml', 'plans/.e.yaml'] },
  { name: 'skipped directories stay skipped whatever the globs say', paths: ['node_modules/**', 'dist/*.yaml'], expected: [] },
  { name: 'extensions are matched as written in the glob', paths: ['*.yml', '*.YAML'], expected: ['C.YAML', 'b.yml'] },
]

const goal = (i: number): string => `apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: g${i}\nspec:\n  description: Goal ${i}\n`

/** The files of a case: the tree (every YAML file a Goal, the rest text) and its `.planspec.yaml`. */
function filesOf(c: Case): Record<string, string> {
  const files: Record<string, string> = Object.fromEntries(TREE.map((path, i) => [path, goal(i)]))
  if (c.paths !== undefined || c.exclude !== undefined) files['.planspec.yaml'] = JSON.stringify({ ...(c.paths ? { paths: c.paths } : {}), ...(c.exclude ? { exclude: c.exclude } : {}) }) + '\n'
  return files
}

let root: string
let server: GitServer
let repos = 0
const validator = createValidator()

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'planspec-selection-'))
  await mkdir(join(root, 'remote'))
  server = await startGitServerProcess({ root: join(root, 'remote') })
})

afterAll(async () => {
  await server?.close()
  await rm(root, { recursive: true, force: true })
})

async function writeTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(root, 'tree-'))
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return dir
}

/** The CLI: what `planspec validate DIR` collects. */
async function cliSelection(dir: string): Promise<string[]> {
  const io = { cwd: dir, env: {}, stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }
  const { files } = await collectFiles([dir], io, DEFAULT_LIMITS.maxFileBytes)
  return files.map((f) => f.file).sort()
}

/** The Action: the manifests of its checkout walk. */
async function actionSelection(dir: string): Promise<string[]> {
  const actionFs: ActionFs = { readFile: (p) => readFile(p), writeFile: (p, d) => writeFile(p, d), mkdir: (p) => mkdir(p, { recursive: true }), readdir: (p) => readdir(p, { withFileTypes: true }), lstat: (p) => lstat(p) }
  const workspace = await readWorkspace(actionFs, dir, [])
  return [...workspace.files.keys()].sort()
}

/** The agent: the files its desired state holds resources (or findings) from, read over smart HTTP. */
async function agentSelection(files: Record<string, string>): Promise<string[]> {
  const name = `selection-${repos++}.git`
  const bare = await createBareRepo(join(root, 'remote'), name)
  await pushFixture({ remote: bare, files })
  const desired = await readDesired({ fs, http, dir: await mkdtemp(join(root, 'cache-')), url: server.url(name), cache: createGitStoreCache({ validator }), timeoutMs: 30_000 })
  const chosen = new Set([...desired.resources.values()].map((r) => r.file))
  for (const d of desired.diagnostics) if (d.file !== '.planspec.yaml') chosen.add(d.file)
  return [...chosen].sort()
}

describe('one file selection in every mode', () => {
  it.each(CASES)('$name', async (c) => {
    const files = filesOf(c)
    const dir = await writeTree(files)
    const expected = [...c.expected].sort()
    const [cli, action, agent] = await Promise.all([cliSelection(dir), actionSelection(dir), agentSelection(files)])
    expect({ cli, action, agent }).toEqual({ cli: expected, action: expected, agent: expected })
    // The module itself says the same, and gives a reason for every file it leaves out.
    const selection = createFileSelection(c)
    expect(TREE.filter((path) => selection.skipReason(path) === undefined).sort()).toEqual(expected)
  })
})
