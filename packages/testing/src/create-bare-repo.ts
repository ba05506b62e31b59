import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { runGit } from './run-git.js'

/**
 * Creates an empty bare repository `root/name` (default branch `main`) with native git, ready to
 * be served by `startGitServer` and pushed to. Returns its absolute path. Creating one that
 * exists already is harmless (git re-initialises it in place).
 *
 * @example
 * const bare = await createBareRepo(root, 'plans.git')
 */
export async function createBareRepo(root: string, name: string): Promise<string> {
  const path = join(root, name)
  await mkdir(path, { recursive: true })
  // git's defaults for a bare repository accept force-pushes and deletions, which fixtures use.
  await runGit(['init', '--quiet', '--bare', '--initial-branch=main', path])
  return path
}
