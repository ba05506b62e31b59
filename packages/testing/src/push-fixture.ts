import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { runGit } from './run-git.js'

/** The pinned author and committer time of fixture commits (seconds since the epoch), so SHAs are stable. */
export const FIXTURE_EPOCH = 1_700_000_000

/** Content of one fixture file: text, bytes, or a symbolic link to `symlink` (mode 120000). */
export type FixtureFile = string | Uint8Array | { readonly symlink: string }

/** Options of {@link pushFixture}. */
export interface PushFixtureOptions {
  /** Where to push: the path of a bare repository, or a URL native git can push to. */
  readonly remote: string
  /** The branch to commit on; `main` by default. */
  readonly branch?: string
  /** Files to write (relative paths, `/`-separated); `null` deletes the file. */
  readonly files: Readonly<Record<string, FixtureFile | null>>
  /** Commit message; `fixture` by default. */
  readonly message?: string
  /** Author and committer time in seconds since the epoch; {@link FIXTURE_EPOCH} by default. */
  readonly date?: number
  /** Author and committer identity; `Fixture Author <author@fixture.invalid>` by default. */
  readonly author?: { readonly name: string; readonly email: string }
  /**
   * Start a new history holding only `files` and force-push it over the branch (a history
   * rewrite, as a force-push does). Otherwise the commit is added on top of the branch (or starts
   * it when the branch does not exist).
   */
  readonly orphan?: boolean
  /**
   * Sign the commit with this SSH private key, as `git commit -S` with `gpg.format=ssh` does
   * (the commit is made by native git in a clone, even for a local bare repository).
   */
  readonly signingKey?: string
  /** Extra parents: the commit becomes a merge of the branch head and these commits (already in the remote). */
  readonly mergeWith?: readonly string[]
}

/**
 * Commits `files` on `branch` of `remote` with native git: one commit per call, with pinned
 * author and committer dates so the same inputs give the same SHA. A local bare repository gets
 * the commit straight from one `git fast-import` (fast: fixtures of thousands of files take one
 * process); a URL gets a clone, commit and push. Returns the new commit's SHA. Paths that are
 * not normal relative paths (`..`, absolute) are refused (it throws).
 *
 * @example
 * const sha = await pushFixture({ remote: bare, files: { 'plans/a.yaml': text, 'old.yaml': null } })
 */
export async function pushFixture(options: PushFixtureOptions): Promise<string> {
  for (const path of Object.keys(options.files)) {
    if (resolve('/fixture', path) !== `/fixture/${path}` || path.endsWith('/')) throw new Error(`fixture path escapes the work tree or is not normal: ${JSON.stringify(path)}`)
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(options.remote) || options.signingKey !== undefined ? pushThroughClone(options) : importInto(options.remote, options)
}

function identity(options: PushFixtureOptions): { date: string; who: { name: string; email: string } } {
  return { date: `${options.date ?? FIXTURE_EPOCH} +0000`, who: options.author ?? { name: 'Fixture Author', email: 'author@fixture.invalid' } }
}

/** Writes the commit straight into a local bare repository with one `git fast-import`. */
async function importInto(gitdir: string, options: PushFixtureOptions): Promise<string> {
  const branch = options.branch ?? 'main'
  const ref = `refs/heads/${branch}`
  const parent = options.orphan ? '' : await runGit(['rev-parse', '--verify', '--quiet', ref], { cwd: gitdir }).then((r) => r.stdout.trim(), () => '')
  const { date, who } = identity(options)
  const message = Buffer.from(options.message ?? 'fixture')
  const chunks: Buffer[] = [Buffer.from(`commit ${ref}\nmark :1\nauthor ${who.name} <${who.email}> ${date}\ncommitter ${who.name} <${who.email}> ${date}\ndata ${message.length}\n`), message, Buffer.from('\n')]
  if (parent) chunks.push(Buffer.from(`from ${parent}\n`))
  for (const other of options.mergeWith ?? []) chunks.push(Buffer.from(`merge ${other}\n`))
  for (const [path, content] of Object.entries(options.files)) {
    if (content === null) {
      chunks.push(Buffer.from(`D ${path}\n`))
      continue
    }
    const link = typeof content === 'object' && !(content instanceof Uint8Array)
    const data = link ? Buffer.from(content.symlink) : Buffer.from(content)
    chunks.push(Buffer.from(`M ${link ? '120000' : '100644'} inline ${path}\ndata ${data.length}\n`), data, Buffer.from('\n'))
  }
  chunks.push(Buffer.from('\nget-mark :1\n'))
  const { stdout } = await runGit(['fast-import', '--quiet', '--force', '--done'], { cwd: gitdir, input: Buffer.concat([...chunks, Buffer.from('done\n')]) })
  return stdout.trim()
}

/** Clones the branch (when it exists), commits the files and pushes: for remotes given by URL. */
async function pushThroughClone(options: PushFixtureOptions): Promise<string> {
  const branch = options.branch ?? 'main'
  const work = await mkdtemp(join(tmpdir(), 'planspec-fixture-'))
  try {
    const exists = !options.orphan && (await runGit(['ls-remote', '--heads', options.remote, `refs/heads/${branch}`])).stdout.trim() !== ''
    if (exists) await runGit(['clone', '--quiet', '--no-tags', '--single-branch', '--branch', branch, options.remote, work])
    else await runGit(['init', '--quiet', `--initial-branch=${branch}`, work])
    for (const [path, content] of Object.entries(options.files)) {
      const target = resolve(work, path)
      if (!target.startsWith(work + sep)) throw new Error(`fixture path escapes the work tree: ${JSON.stringify(path)}`)
      await rm(target, { recursive: true, force: true })
      if (content === null) continue
      await mkdir(dirname(target), { recursive: true })
      if (typeof content === 'object' && !(content instanceof Uint8Array)) await symlink(content.symlink, target)
      else await writeFile(target, content)
    }
    const { date, who } = identity(options)
    const env = { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email }
    await runGit(['add', '--all'], { cwd: work })
    if (options.mergeWith?.length) throw new Error('mergeWith is only supported for a local bare repository without signing')
    const signing = options.signingKey === undefined ? [] : ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${options.signingKey}`]
    await runGit([...signing, 'commit', '--quiet', '--allow-empty', '--no-verify', ...(options.signingKey === undefined ? [] : ['-S']), '-m', options.message ?? 'fixture'], { cwd: work, env })
    await runGit(['push', '--quiet', ...(options.orphan ? ['--force'] : []), options.remote, `HEAD:refs/heads/${branch}`], { cwd: work })
    return (await runGit(['rev-parse', 'HEAD'], { cwd: work })).stdout.trim()
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
