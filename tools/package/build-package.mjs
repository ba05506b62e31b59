#!/usr/bin/env node
// Builds the published-shape package `planspec` into dist/planspec (gitignored): one bundle of the
// command line with every workspace package and pure-JS dependency inside (esbuild), the
// validation worker beside it, the web dashboard's built app, the editor schema, the licences and
// a README; it depends only on what cannot be bundled (better-sqlite3, a native module).
// `npm pack dist/planspec` gives the tarball. Needs the workspace built (`npm run build`).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { build } from 'esbuild'

const ROOT = join(dirname(new URL(import.meta.url).pathname), '../..')
const OUT = join(ROOT, 'dist/planspec')
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'))
const cli = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8'))
const template = JSON.parse(readFileSync(join(ROOT, 'tools/package/package.template.json'), 'utf8'))

/** What stays outside the bundle: native modules, installed from the registry at the lockfile's version. */
export const EXTERNAL = ['better-sqlite3']

for (const input of ['packages/cli/dist/main.js', 'packages/cli/dist/validate-worker.js', 'packages/server/dist/validation/validation-worker.js', 'packages/dashboard/dist-app/index.html']) {
  if (!existsSync(join(ROOT, input))) {
    process.stderr.write(`error: ${input} is missing: run npm run build first\n`)
    process.exit(2)
  }
}
rmSync(OUT, { recursive: true, force: true })
mkdirSync(join(OUT, 'dist'), { recursive: true })
const banner = { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', minify: true, keepNames: true, external: EXTERNAL, banner, logLevel: 'warning', legalComments: 'linked' }
// The same layout as the CLI's own bundle (bin/planspec.js loads dist/bundle/main.mjs): the entry,
// the chunks each command loads when it runs, and the two validation workers next to them.
await build({ ...common, entryPoints: { main: join(ROOT, 'packages/cli/dist/main.js'), 'validate-worker': join(ROOT, 'packages/cli/dist/validate-worker.js') }, splitting: true, outdir: join(OUT, 'dist/bundle'), outExtension: { '.js': '.mjs' } })
await build({ ...common, entryPoints: [join(ROOT, 'packages/server/dist/validation/validation-worker.js')], outfile: join(OUT, 'dist/bundle/validation-worker.js') })
// The dashboard plugin serves ../dist-app/ relative to the module that loads it (a chunk in dist/bundle/).
cpSync(join(ROOT, 'packages/dashboard/dist-app'), join(OUT, 'dist/dist-app'), { recursive: true })
mkdirSync(join(OUT, 'bin'))
cpSync(join(ROOT, 'packages/cli/bin/planspec.js'), join(OUT, 'bin/planspec.js'))
mkdirSync(join(OUT, 'schema'))
cpSync(join(ROOT, 'schemas/editor/planspec.schema.json'), join(OUT, 'schema/planspec.schema.json'))
for (const file of ['LICENSE-APACHE', 'LICENSE-MIT']) cpSync(join(ROOT, file), join(OUT, file))
cpSync(join(ROOT, 'tools/package/README.md'), join(OUT, 'README.md'))

const dependencies = Object.fromEntries(EXTERNAL.map((name) => {
  const version = lock.packages[`node_modules/${name}`]?.version
  if (!version) throw new Error(`${name} is not in package-lock.json`)
  return [name, version]
}))
const manifest = { ...template, version: cli.version, dependencies }
writeFileSync(join(OUT, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
process.stdout.write(`built ${OUT} (planspec@${cli.version})\n`)
