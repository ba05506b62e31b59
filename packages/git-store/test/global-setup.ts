import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Creates the directory the shared test git servers serve from (workers may be stopped without
 * running exit hooks) and removes it, whatever is left in it, when the run ends.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'planspec-git-store-run-'))
  process.env.PLANSPEC_TEST_GIT_ROOT = root
  return () => rm(root, { recursive: true, force: true })
}
