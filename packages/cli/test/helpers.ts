import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { promisify } from 'node:util'
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

const execFileAsync = promisify(execFile)

/**
 * Runs a Node script (the bundled `planspec`) to its end, as a user's shell would; resolves with its
 * exit code and output. A non-zero exit is an outcome; a process that could not run or was killed
 * (no exit code) throws.
 */
export async function runBin(bin: string, args: readonly string[], options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], { cwd: options.cwd, env: options.env, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 240_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    if (typeof failed.code !== 'number') throw error
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
  }
}
