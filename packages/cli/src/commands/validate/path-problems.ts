import { lstat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Diagnostic } from '@planspec/core'
import type { CommandIO } from '../../io.js'

/** Codes of the problems that end `planspec validate` with exit 2 (usage or I/O), not findings. */
export const EXIT_2_CODES: ReadonlySet<string> = new Set(['PS1010', 'PS1012', 'PS1013'])

/** Splits the command-line paths into those that exist (and `-`) and those that do not. */
export async function splitPaths(paths: readonly string[], io: CommandIO): Promise<{ readonly found: string[]; readonly missing: string[] }> {
  const found: string[] = []
  const missing: string[] = []
  for (const path of paths) {
    // lstat: a broken link exists; reading it is what fails (PS1010).
    const exists = path === '-' || (await lstat(resolve(io.cwd, path)).then(() => true, () => false))
    ;(exists ? found : missing).push(path)
  }
  return { found, missing }
}

/**
 * A problem with the command line as a diagnostic, so `-o json|sarif|junit` still print a valid
 * document: `PS1012` for a path that does not exist, `PS1013` when no YAML file was found.
 */
export function pathProblem(code: 'PS1012' | 'PS1013', file: string, message: string): Diagnostic {
  return { code, severity: 'error', message, file, line: 1, column: 1, endLine: 1, endColumn: 1, path: '' }
}
