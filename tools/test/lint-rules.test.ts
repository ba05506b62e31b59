import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

// A tag that does not fail CI is decoration (STYLE §5): each layering and safety rule must fire on
// a file that breaks it. Files are linted in place (virtual paths inside the real packages).
const ROOT = join(import.meta.dirname, '../..')
let eslint: ESLint

beforeAll(() => {
  // The module-boundary rule reads Nx's cached project graph; make sure it exists.
  const graph = spawnSync(process.execPath, [join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }, encoding: 'utf8' })
  expect(graph.status).toBe(0)
  eslint = new ESLint({ cwd: ROOT })
})

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) })
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`)
}

describe('lint rules that guard the architecture', () => {
  it('forbids I/O and Node built-ins in core', async () => {
    expect(await ruleIds('packages/core/src/probe.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync\n")).toContain('no-restricted-imports')
  })

  it('forbids third-party code in core', async () => {
    expect(await ruleIds('packages/core/src/probe.ts', "import { parse } from 'yaml'\nexport const x = parse\n")).toContain('no-restricted-imports')
  })

  it('forbids the clock and the environment in core', async () => {
    expect(await ruleIds('packages/core/src/probe.ts', 'export const x = () => process.env.HOME\n')).toContain('no-restricted-globals')
  })

  it('forbids a lower layer importing a higher one (reporter importing the validator)', async () => {
    expect(await ruleIds('packages/reporter/src/probe.ts', "import { createValidator } from '@planspec/validator'\nexport const x = createValidator\n")).toContain('@nx/enforce-module-boundaries')
  })

  it('forbids shipped source importing test support (tests may)', async () => {
    expect(await ruleIds('packages/reporter/src/probe.ts', "import { checkSarifSchema } from '@planspec/testing'\nexport const x = checkSarifSchema\n")).toContain('no-restricted-imports')
    expect(await ruleIds('packages/reporter/test/probe.test.ts', "import { checkSarifSchema } from '@planspec/testing'\nexport const x = checkSarifSchema\n")).toEqual([])
  })

  it('forbids core importing any other package', async () => {
    expect(await ruleIds('packages/core/src/probe.ts', "import { renderText } from '@planspec/reporter'\nexport const x = renderText\n")).toEqual(expect.arrayContaining(['@nx/enforce-module-boundaries']))
  })

  it('forbids spawning through a shell', async () => {
    expect(await ruleIds('packages/cli/src/probe.ts', "import { spawn } from 'node:child_process'\nexport const x = () => spawn('ls', [], { shell: true })\n")).toContain('no-restricted-syntax')
  })

  it('forbids the client port importing the server, GitHub or the MCP SDK', async () => {
    expect(await ruleIds('packages/client/src/probe.ts', "import { serve } from '@planspec/server'\nexport const x = serve\n")).toContain('@nx/enforce-module-boundaries')
    expect(await ruleIds('packages/client/src/probe.ts', "import { Server } from '@modelcontextprotocol/sdk/server/index.js'\nexport const x = Server\n")).toContain('@nx/enforce-module-boundaries')
  })

  it('forbids the MCP server reaching past the client port (git, the agent, the command line)', async () => {
    expect(await ruleIds('packages/mcp/src/probe.ts', "import { gitAgentRepo } from '@planspec/agent'\nexport const x = gitAgentRepo\n")).toContain('@nx/enforce-module-boundaries')
    expect(await ruleIds('packages/mcp/src/probe.ts', "import git from 'isomorphic-git'\nexport const x = git\n")).toContain('@nx/enforce-module-boundaries')
    expect(await ruleIds('packages/mcp/src/probe.ts', "import { runCli } from '@planspec/cli'\nexport const x = runCli\n")).toContain('@nx/enforce-module-boundaries')
  })

  it('forbids the dashboard importing the server or the engine', async () => {
    expect(await ruleIds('packages/dashboard/app/probe.ts', "import { buildServer } from '@planspec/server'\nexport const x = buildServer\n")).toContain('@nx/enforce-module-boundaries')
    expect(await ruleIds('packages/dashboard/app/probe.ts', "import { runExecution } from '@planspec/engine'\nexport const x = runExecution\n")).toContain('@nx/enforce-module-boundaries')
  })

  it('forbids parsing data as HTML and eval in the dashboard', async () => {
    expect(await ruleIds('packages/dashboard/app/probe.ts', "export const x = (e: HTMLElement, t: string) => { e.innerHTML = t }\n")).toContain('no-restricted-properties')
    expect(await ruleIds('packages/dashboard/app/probe.ts', "export const x = (e: HTMLElement, t: string) => e.insertAdjacentHTML('beforeend', t)\n")).toContain('no-restricted-properties')
    expect(await ruleIds('packages/dashboard/app/probe.ts', "export const x = (t: string) => eval(t)\n")).toContain('no-restricted-globals')
  })

  it('accepts a file that respects the layering', async () => {
    expect(await ruleIds('packages/validator/src/probe.ts', "import { parseDuration } from '@planspec/core'\nexport const x = parseDuration\n")).toEqual([])
  })
})
