import { rename, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { applyFixes } from '@planspec/validator'
import { STDIN_FILE } from '../files/collect-files.js'
import { EXIT, type CommandIO } from '../io.js'
import { validatePaths, DEFAULTS } from './validate.js'

/** Options of `planspec fix`. */
export interface FixOptions {
  readonly paths: readonly string[]
  readonly dryRun: boolean
}

/**
 * Runs `planspec fix`: applies the machine-applicable fixes of the compat findings (legacy
 * shapes, day durations, `_` in node ids, a stale graphDigest) in place, keeping comments.
 * Files are replaced atomically (write to a temporary file, then rename). Prints one line per
 * file, kubectl style. Exit 0, also when nothing needed fixing.
 */
export async function runFix(options: FixOptions, io: CommandIO): Promise<number> {
  const result = await validatePaths({ paths: options.paths, compat: true, closed: false, keepParsed: true, ...DEFAULTS }, io)
  let changed = 0
  for (const [file, parsed] of result.parsed) {
    if (file === STDIN_FILE) continue
    const { text, applied } = applyFixes(parsed, result.diagnostics)
    if (applied === 0 || text === parsed.text) continue
    changed++
    if (!options.dryRun) {
      const target = resolve(io.cwd, file)
      const temporary = `${target}.planspec-fix-${process.pid}`
      await writeFile(temporary, text)
      await rename(temporary, target)
    }
    io.stdout.write(`${file}: ${applied} fix${applied === 1 ? '' : 'es'} applied${options.dryRun ? ' (dry run)' : ''}\n`)
  }
  if (changed === 0) io.stdout.write('nothing to fix\n')
  return EXIT.ok
}
