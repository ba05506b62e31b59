import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { parse } from 'yaml'

/** The repository configuration file `.planspec.yaml` (schema: repository-config.json). */
export interface RepositoryConfig {
  readonly namespace?: string
  readonly paths?: readonly string[]
  readonly exclude?: readonly string[]
  readonly contexts?: Readonly<Record<string, { server?: string; repo?: string; namespace?: string }>>
  readonly currentContext?: string
}

/** The name of the repository configuration file. */
export const CONFIG_FILE = '.planspec.yaml'

/**
 * Finds the `.planspec.yaml` that governs `start`: in `start` itself (a directory) or the nearest
 * ancestor that has one, like git finds its repository. Returns its folder and parsed content.
 */
export async function findRepositoryConfig(start: string): Promise<{ root: string; config: RepositoryConfig } | undefined> {
  let dir = resolve(start)
  for (;;) {
    const file = join(dir, CONFIG_FILE)
    if (existsSync(file)) {
      const text = await readFile(file, 'utf8')
      const value = parse(text, { schema: 'core', maxAliasCount: 0, uniqueKeys: true }) as unknown
      const config = value && typeof value === 'object' && !Array.isArray(value) ? (value as RepositoryConfig) : {}
      return { root: dir, config }
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
