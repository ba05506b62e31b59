import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isMap, isScalar, parseDocument, stringify, type Document } from 'yaml'
import { CONFIG_FILE, findRepositoryConfig } from '../../files/repository-config.js'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import type { ContextEntry } from './resolve-context.js'

/**
 * Lists the contexts of the nearest `.planspec.yaml`, kubectl style: `CURRENT NAME TARGET
 * NAMESPACE` (`-o name`: one name a line). Exit 0, also when there are none.
 *
 * @example
 * await runGetContexts({ output: 'table' }, io)
 */
export async function runGetContexts(options: { readonly output: 'table' | 'name' }, io: CommandIO): Promise<number> {
  const found = await findRepositoryConfig(io.cwd)
  const contexts = Object.entries((found?.config.contexts ?? {}) as Readonly<Record<string, ContextEntry>>)
  if (options.output === 'name') {
    io.stdout.write(contexts.map(([name]) => `${name}\n`).join(''))
    return EXIT.ok
  }
  if (contexts.length === 0) {
    io.stdout.write('No contexts found.\n')
    return EXIT.ok
  }
  const current = found?.config.currentContext
  const rows = [['CURRENT', 'NAME', 'TARGET', 'NAMESPACE'], ...contexts.map(([name, c]) => [name === current ? '*' : '', name, c.server ?? c.repo ?? '', c.namespace ?? ''])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  io.stdout.write(rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n')
  return EXIT.ok
}

/** Prints the current context's name; exit 1 when none is set. */
export async function runCurrentContext(io: CommandIO): Promise<number> {
  const current = (await findRepositoryConfig(io.cwd))?.config.currentContext
  if (current === undefined) {
    io.stderr.write('error: current-context is not set\n')
    return EXIT.findings
  }
  io.stdout.write(`${current}\n`)
  return EXIT.ok
}

/**
 * Sets `currentContext` in the nearest `.planspec.yaml` to a context it defines, rewriting only
 * that key (comments and formatting are kept: the yaml package's Document API). Exit 1 when the
 * context does not exist; a usage error when there is no `.planspec.yaml`.
 *
 * @example
 * await runUseContext('staging', io) // Switched to context "staging".
 */
export async function runUseContext(name: string, io: CommandIO): Promise<number> {
  const found = await findRepositoryConfig(io.cwd)
  if (found === undefined) throw new UsageError(`no ${CONFIG_FILE} in ${io.cwd} or above; add one with a "contexts:" map first`)
  const file = join(found.root, CONFIG_FILE)
  const text = await readFile(file, 'utf8')
  const document = parseDocument(text)
  const contexts = document.get('contexts')
  if (!isMap(contexts) || !contexts.has(name)) {
    io.stderr.write(`error: no context exists with the name "${name}" in ${file}\n`)
    return EXIT.findings
  }
  await writeFile(file, withCurrentContext(text, document, name))
  io.stdout.write(`Switched to context "${name}".\n`)
  return EXIT.ok
}

/**
 * Sets `currentContext` by splicing the text of its value (located through the parsed document's
 * source ranges), so every other byte (comments, blank lines, quoting) stays as the user wrote it;
 * appends the key when the file has none.
 */
function withCurrentContext(text: string, document: Document, name: string): string {
  const value = stringify(name).trimEnd()
  const node = document.get('currentContext', true)
  if (isScalar(node) && node.range) return text.slice(0, node.range[0]) + value + text.slice(node.range[1])
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}currentContext: ${value}\n`
}
