// What every command's start loads (issue 15: a one-file `planspec validate` starts in about the time
// of Node itself): the bundle entry's static imports must not reach the git, HTTP-server, GitHub, MCP
// or database libraries; those load with the commands that use them. Read from esbuild's metafile of
// the bundle the bin runs (dist/bundle/meta.json, written by the bundle step).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO } from './helpers.js'

interface Metafile {
  readonly outputs: Record<string, { readonly entryPoint?: string; readonly imports: readonly { readonly path: string; readonly kind: string }[]; readonly inputs: Record<string, unknown>; readonly bytes: number }>
}

const HEAVY = /node_modules\/(isomorphic-git|fastify|@fastify|@octokit|octokit|@modelcontextprotocol|better-sqlite3|pg|proper-lockfile)\//

describe('the bundle a command starts from', () => {
  it('loads no heavy library before a command asks for it, and has them all for the commands that do', () => {
    const meta = JSON.parse(readFileSync(join(REPO, 'packages/cli/dist/bundle/meta.json'), 'utf8')) as Metafile
    const entry = Object.keys(meta.outputs).find((path) => meta.outputs[path]?.entryPoint === 'dist/main.js')
    expect(entry).toBeDefined()
    const loaded = new Set<string>()
    const queue = [entry as string]
    while (queue.length > 0) {
      const output = queue.pop() as string
      if (loaded.has(output)) continue
      loaded.add(output)
      for (const imported of meta.outputs[output]?.imports ?? []) if (imported.kind === 'import-statement' && imported.path in meta.outputs) queue.push(imported.path)
    }
    const atStart = [...loaded].flatMap((output) => Object.keys(meta.outputs[output]?.inputs ?? {}))
    expect(atStart.filter((input) => HEAVY.test(input))).toEqual([])
    // The libraries are in the bundle, behind the commands' dynamic imports.
    const everywhere = Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs))
    for (const library of ['isomorphic-git', 'fastify', '@octokit', '@modelcontextprotocol']) expect(everywhere.some((input) => input.includes(`node_modules/${library}/`)), library).toBe(true)
    const bytes = [...loaded].reduce((sum, output) => sum + (meta.outputs[output]?.bytes ?? 0), 0)
    expect(bytes).toBeLessThan(2_500_000)
  })
})
