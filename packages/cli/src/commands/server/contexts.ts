import { setUserCurrentContext } from '../../files/user-config.js'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { knownContexts } from './resolve-context.js'

/**
 * Lists the contexts (the user config's, then legacy ones of `.planspec.yaml`), kubectl style:
 * `CURRENT NAME TARGET NAMESPACE` (`-o name`: one name a line). Exit 0, also when there are none.
 *
 * @example
 * await runGetContexts({ output: 'table' }, io)
 */
export async function runGetContexts(options: { readonly output: 'table' | 'name' }, io: CommandIO): Promise<number> {
  const known = await knownContexts(io)
  const contexts = Object.entries(known.contexts)
  if (options.output === 'name') {
    io.stdout.write(contexts.map(([name]) => `${name}\n`).join(''))
    return EXIT.ok
  }
  if (contexts.length === 0) {
    io.stdout.write('No contexts found.\n')
    return EXIT.ok
  }
  const rows = [['CURRENT', 'NAME', 'TARGET', 'NAMESPACE'], ...contexts.map(([name, { entry }]) => [name === known.current ? '*' : '', name, entry.server ?? entry.repo ?? '', entry.namespace ?? ''])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  io.stdout.write(rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n')
  return EXIT.ok
}

/** Prints the current context's name; exit 1 when none is set. */
export async function runCurrentContext(io: CommandIO): Promise<number> {
  const { current } = await knownContexts(io)
  if (current === undefined) {
    io.stderr.write('error: current-context is not set\n')
    return EXIT.findings
  }
  io.stdout.write(`${current}\n`)
  return EXIT.ok
}

/**
 * Makes a known context the current one. The choice is the user's, so it is written to the user
 * config (`$PLANSPEC_CONFIG`, default `~/.planspec/config`, mode 0600), never to a committed
 * `.planspec.yaml`. Exit 1 when no context has that name.
 *
 * @example
 * await runUseContext('staging', io) // Switched to context "staging".
 */
export async function runUseContext(name: string, io: CommandIO): Promise<number> {
  const known = await knownContexts(io)
  if (known.contexts[name] === undefined) {
    const names = Object.keys(known.contexts)
    io.stderr.write(`error: no context exists with the name "${name}"${names.length ? ` (known: ${names.join(', ')})` : ''}\n`)
    return EXIT.findings
  }
  if (known.userFile === undefined && !io.env.PLANSPEC_CONFIG && !io.env.HOME) throw new UsageError('no user config to record the current context in: set PLANSPEC_CONFIG or HOME')
  const file = await setUserCurrentContext(io.env, name)
  io.stdout.write(`Switched to context "${name}" (in ${file}).\n`)
  return EXIT.ok
}
