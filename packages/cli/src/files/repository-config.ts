import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import type { RepositoryConfig } from '@planspec/core'
import { parseRepositoryConfig, REPOSITORY_CONFIG_FILE } from '@planspec/validator'
import { UsageError } from '../io.js'

export type { RepositoryConfig }

/** The name of the repository configuration file. */
export const CONFIG_FILE = REPOSITORY_CONFIG_FILE

/**
 * Finds the `.planspec.yaml` that governs `start`: in `start` itself (a directory) or the nearest
 * ancestor that has one, like git finds its repository. Returns its folder and content, read by
 * the validator's one reader (validated by the repository-config schema, as the agent and the
 * Action read it). Throws a `UsageError` naming the file when it is not a valid config.
 */
export async function findRepositoryConfig(start: string): Promise<{ root: string; config: RepositoryConfig } | undefined> {
  let dir = resolve(start)
  for (;;) {
    const file = join(dir, CONFIG_FILE)
    if (existsSync(file)) {
      const read = parseRepositoryConfig(await readFile(file))
      if ('error' in read) throw new UsageError(`${file} is not a valid repository config: ${read.error}`)
      return { root: dir, config: read.config }
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
