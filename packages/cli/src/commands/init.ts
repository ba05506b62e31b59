import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CONFIG_FILE } from '../files/repository-config.js'
import { EXIT, UsageError, type CommandIO } from '../io.js'

/** Options of `planspec init`. */
export interface InitOptions {
  /** The repository's default namespace (default `default`). */
  readonly namespace: string
  /** The folder (relative to the repository) that holds the manifests (default `planspec`). */
  readonly dir: string
}

/** The schema line editors running yaml-language-server read, for a project that installed `planspec`. */
export const EDITOR_SCHEMA_LINE = '# yaml-language-server: $schema=../node_modules/planspec/schema/planspec.schema.json'

/**
 * Runs `planspec init`: writes the repository's `.planspec.yaml` (its default namespace and where
 * the manifests are; contexts stay in each user's own config) and creates the manifests folder, then
 * prints the next steps: the editor schema line and the validate command. Refuses to overwrite an
 * existing `.planspec.yaml` (exit 1); nothing is written then.
 *
 * @example
 * await runInit({ namespace: 'team-platform', dir: 'planspec' }, io)
 */
export async function runInit(options: InitOptions, io: CommandIO): Promise<number> {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.namespace) || options.namespace.length > 63) throw new UsageError(`--namespace must be a DNS label (lower-case letters, digits and "-"), got ${JSON.stringify(options.namespace)}`)
  if (options.dir.startsWith('/') || options.dir.split(/[\\/]/).includes('..')) throw new UsageError(`--dir must be a folder inside the repository, got ${JSON.stringify(options.dir)}`)
  const file = join(io.cwd, CONFIG_FILE)
  const text = [
    '# PlanSpec repository settings (committed). Servers, contexts and tokens live in each user\'s',
    '# own config (~/.planspec/config), never here.',
    `namespace: ${options.namespace}`,
    'paths:',
    `  - "${options.dir}/**/*.yaml"`,
    `  - "${options.dir}/**/*.yml"`,
    '',
  ].join('\n')
  try {
    await writeFile(file, text, { flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    io.stderr.write(`error: ${CONFIG_FILE} already exists in ${io.cwd}; nothing was written\n`)
    return EXIT.findings
  }
  await mkdir(join(io.cwd, options.dir), { recursive: true })
  io.stdout.write(`wrote ${CONFIG_FILE} (namespace ${options.namespace}; manifests under ${options.dir}/)

Next:
  1. Put Goals, Plans, Bindings, ... under ${options.dir}/. For completion and hover in your editor
     (yaml-language-server), start each file with (here for a file directly under ${options.dir}/):
       ${EDITOR_SCHEMA_LINE}
  2. planspec validate            # every manifest, file:line:col and a stable code per finding
  3. Add the GitHub Action to review pull requests (see the README: "Use it in your repository").
`)
  return EXIT.ok
}
