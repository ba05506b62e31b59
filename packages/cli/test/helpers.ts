import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { runCli } from '../src/index.js'

/** The repository root (for examples/ and the shared conformance files). */
export const REPO = join(import.meta.dirname, '../../..')

/** Runs the CLI in-process with captured streams. */
export async function cli(argv: string[], options: { cwd?: string; stdin?: string; tty?: boolean; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean }
  const stderr = new PassThrough()
  stdout.isTTY = options.tty ?? false
  let out = ''
  let err = ''
  stdout.on('data', (c) => (out += c))
  stderr.on('data', (c) => (err += c))
  const code = await runCli(argv, { stdout, stderr, stdin: Readable.from([options.stdin ?? '']), cwd: options.cwd ?? REPO, env: options.env ?? {} })
  return { code, stdout: out, stderr: err }
}

/** Creates a temporary directory holding the given files. */
export function tempTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'planspec-cli-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

export const GOAL = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: ok\nspec:\n  description: A fine goal\n'
