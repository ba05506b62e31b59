// One way for every generator to write its output or, with --check, to fail when the committed
// file differs from what it would write (STYLE: generated artifacts need a drift check).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Writes `text` to `file` (a path or file URL), or in `--check` mode exits 1 with one line on
 * stderr when the file is missing or differs. Returns normally when written or up to date.
 */
export function writeGenerated(file, text, { source = 'schemas/v1alpha1', summary = '' } = {}) {
  const path = file instanceof URL ? fileURLToPath(file) : file
  const shown = relative(ROOT, path)
  if (process.argv.includes('--check')) {
    let current
    try {
      current = readFileSync(path, 'utf8')
    } catch {
      current = undefined
    }
    if (current !== text) {
      console.error(`${shown} is ${current === undefined ? 'missing' : `out of date with ${source}`}: run \`npm run codegen\``)
      process.exit(1)
    }
    return
  }
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
  console.log(`wrote ${shown}${summary ? ` (${summary})` : ''}`)
}
