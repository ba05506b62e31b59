// Writes to a SQLite database file from another process, as a second `planspec serve` or the CLI
// would: the server under test sees them only through the file (SQLite's data_version).
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { onTestFinished } from 'vitest'

const PACKAGE = fileURLToPath(new URL('..', import.meta.url))
// The bundle lives inside the package so that its bare imports resolve from the workspace.
const BUNDLE_DIR = join(PACKAGE, 'node_modules/.cache/planspec-server-test')
let bundled: Promise<string> | undefined

const bundle = (): Promise<string> =>
  (bundled ??= (async () => {
    mkdirSync(BUNDLE_DIR, { recursive: true })
    const outfile = join(BUNDLE_DIR, `other-process-${process.pid}.mjs`)
    await build({ entryPoints: [join(PACKAGE, 'src/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile, packages: 'external', logLevel: 'silent', absWorkingDir: PACKAGE })
    process.once('exit', () => rmSync(outfile, { force: true }))
    return outfile
  })())

/**
 * Runs `body` (the text of an async function body with `store`, a `sqliteStore` over `file`, in
 * scope) in a new Node process, and resolves once that process has exited after its commits.
 */
export async function inAnotherProcess(file: string, body: string, storeOptions: Record<string, unknown> = {}): Promise<void> {
  const entry = await bundle()
  const script = join(BUNDLE_DIR, `write-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`)
  writeFileSync(script, `import { sqliteStore } from ${JSON.stringify(entry)}\nconst store = sqliteStore({ file: ${JSON.stringify(file)}, ...${JSON.stringify(storeOptions)} })\ntry {\n${body}\n} finally { store.close() }\n`)
  onTestFinished(() => rmSync(script, { force: true }))
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [script], { cwd: PACKAGE, timeout: 60_000 }, (error, _stdout, stderr) => (error === null ? resolve() : reject(new Error(`the other process failed: ${stderr || error.message}`))))
  })
}
