import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ActionFs } from '../../src/index.js'

/** The repository's own minimal example: six manifests and a `.planspec.yaml`. */
export const MINIMAL_EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/minimal')

/** The real file system, as main.ts wires it. */
export const nodeFs: ActionFs = {
  readFile: (path) => readFile(path),
  writeFile: (path, data) => writeFile(path, data, 'utf8'),
  mkdir: (path) => mkdir(path, { recursive: true }),
  readdir: (path) => readdir(path, { withFileTypes: true }),
  lstat: (path) => lstat(path),
}

/** A temporary checkout, removed by `dispose`. */
export interface TempWorkspace {
  readonly dir: string
  write(path: string, text: string): void
  remove(path: string): void
  dispose(): void
}

export function createWorkspace(options: { readonly copyFrom?: string } = {}): TempWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'planspec-action-'))
  if (options.copyFrom !== undefined) cpSync(options.copyFrom, dir, { recursive: true })
  return {
    dir,
    write(path, text) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    },
    remove: (path) => rmSync(join(dir, path), { force: true }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}
