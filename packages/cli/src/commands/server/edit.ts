import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { ApiRequestError, clientFor, findByName, resolveServerKind, type ApiObject, type ServerTarget } from '@planspec/client'
import { reportApiError } from './report-api-error.js'

/** Options of `planspec edit`. */
export interface ServerEditOptions extends ServerTarget {
  readonly kind: string
  readonly name: string
  /** The namespace; when absent, the name is looked up in every namespace. */
  readonly namespace?: string
}

/** The effects of `edit`: how the editor is started (argv, never a shell). */
export interface EditDeps {
  readonly spawn?: (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess
}

const HEADER = `# Edit the object below and save the file to apply it; close without saving to cancel.
# Lines starting with '#' are ignored. status and server-owned metadata cannot be changed here.
`

/**
 * Edits one resource of a server in the user's editor, kubectl style: the object is written as
 * YAML (without status) to a temporary file, the editor (`PLANSPEC_EDITOR`, `VISUAL`, `EDITOR`,
 * else `vi`; split into argv, started without a shell) opens it, and the saved result replaces the
 * object with the resourceVersion it was read at (optimistic concurrency). Prints `kind/name
 * edited`, or `Edit cancelled, no changes made.` when the file was not changed. When the server
 * refuses the change (it changed meanwhile: 409; invalid or immutable: 422), the error is printed,
 * the edited file is kept and its path named, and the exit code is 1.
 *
 * @example
 * await runServerEdit({ server, kind: 'plan', name: 'release' }, io)
 */
export async function runServerEdit(options: ServerEditOptions, io: CommandIO, deps: EditDeps = {}): Promise<number> {
  const kind = resolveServerKind(options.kind)
  const editor = splitArgv(io.env.PLANSPEC_EDITOR || io.env.VISUAL || io.env.EDITOR || 'vi')
  if (editor.length === 0) throw new UsageError('the editor command is empty; set EDITOR')
  const client = clientFor(options, io)
  let found: ApiObject | undefined
  try {
    found = await findByName(client, kind, options.name, options.namespace)
  } catch (error) {
    return reportApiError(error, io)
  }
  const subject = `${kind.kind.toLowerCase()}/${options.name}`
  if (found === undefined) {
    io.stderr.write(`error: ${subject} not found${options.namespace ? ` in namespace "${options.namespace}"` : ''}\n`)
    return EXIT.findings
  }
  const { status: _status, ...editable } = found
  const original = HEADER + stringify(editable, { lineWidth: 0 })
  const dir = await mkdtemp(join(tmpdir(), 'planspec-edit-'))
  const file = join(dir, `${kind.kind.toLowerCase()}-${options.name}.yaml`)
  await writeFile(file, original, { mode: 0o600 })
  const code = await runEditor(deps.spawn ?? nodeSpawn, editor, file, io)
  if (code !== 0) {
    io.stderr.write(`error: the editor exited with ${code}; nothing was applied (the file is ${file})\n`)
    return EXIT.findings
  }
  const edited = await readFile(file, 'utf8')
  if (edited === original) {
    await rm(dir, { recursive: true, force: true })
    io.stdout.write('Edit cancelled, no changes made.\n')
    return EXIT.ok
  }
  let object: Record<string, unknown>
  try {
    const value = parse(edited, { maxAliasCount: 0 }) as unknown
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the file must hold one mapping')
    object = value as Record<string, unknown>
  } catch (error) {
    io.stderr.write(`error: the edited file is not valid YAML: ${(error as Error).message}\nyour changes are in ${file}\n`)
    return EXIT.findings
  }
  const metadata = (object.metadata ?? {}) as Record<string, unknown>
  if (object.kind !== found.kind || metadata.name !== found.metadata.name || (metadata.namespace ?? found.metadata.namespace) !== found.metadata.namespace) {
    io.stderr.write(`error: kind, name and namespace cannot be changed by edit; your changes are in ${file}\n`)
    return EXIT.findings
  }
  const resourceVersion = (metadata.resourceVersion as string | undefined) ?? found.metadata.resourceVersion
  try {
    await client.request('PUT', client.pathOf(kind, found.metadata.namespace, found.metadata.name), { body: { ...object, metadata: { ...metadata, resourceVersion } } })
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 409) {
      io.stderr.write(`error: ${subject} was changed on the server since it was opened (resourceVersion ${String(resourceVersion)}); nothing was applied. Your changes are in ${file}; run planspec edit again\n`)
      return EXIT.findings
    }
    const exit = reportApiError(error, io)
    io.stderr.write(`your changes are in ${file}\n`)
    return exit
  }
  await rm(dir, { recursive: true, force: true })
  io.stdout.write(`${subject} edited\n`)
  return EXIT.ok
}

/** Starts the editor on `file` and resolves with its exit code (the terminal is handed over). */
function runEditor(spawn: NonNullable<EditDeps['spawn']>, argv: readonly string[], file: string, io: CommandIO): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, [...argv.slice(1), file], { stdio: 'inherit', env: { ...io.env } as NodeJS.ProcessEnv, cwd: io.cwd })
    child.once('error', (error) => {
      io.stderr.write(`error: cannot start the editor ${JSON.stringify(argv[0])}: ${error.message}\n`)
      resolve(127)
    })
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

/** Splits an editor setting into argv: whitespace separates, single or double quotes group. */
export function splitArgv(text: string): string[] {
  const argv: string[] = []
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) argv.push(match[1] ?? match[2] ?? match[3] ?? '')
  return argv
}
