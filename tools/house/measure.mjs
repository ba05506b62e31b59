#!/usr/bin/env node
// Measures the shape of the workspace for docs/architecture.md: packages, cross-package imports,
// package -> package edges, and the files that name each extension point (the files a newcomer
// touches to add a kind, a provider, an output format or an API route). Read-only; prints Markdown.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../..', import.meta.url).pathname
const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'package.json'))).sort()

/** Lists the .ts files under a directory, recursively. */
function tsFiles(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) return tsFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}
const sources = packages.flatMap((p) => tsFiles(join(root, 'packages', p, 'src')).map((file) => ({ pkg: p, file, text: readFileSync(file, 'utf8') })))
const relative = (file) => file.slice(root.length)

const importCounts = new Map()
const importRe = /(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+['"](@planspec\/[a-z-]+)/g
for (const s of sources) for (const m of s.text.matchAll(importRe)) importCounts.set(m[1], (importCounts.get(m[1]) ?? 0) + 1)
const totalImports = [...importCounts.values()].reduce((a, b) => a + b, 0)

const edges = packages.map((p) => {
  const json = JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8'))
  const deps = Object.keys({ ...(json.dependencies ?? {}), ...(json.peerDependencies ?? {}) }).filter((d) => d.startsWith('@planspec/')).sort()
  return { name: json.name, deps }
})
const edgeCount = edges.reduce((n, e) => n + e.deps.length, 0)

// Generated files and the test helpers package are not edited by hand to add anything.
const handWritten = sources.filter((s) => !/generated/.test(s.file) && s.pkg !== 'testing')
const naming = (re) => handWritten.filter((s) => re.test(s.text)).map((s) => relative(s.file)).sort()
const points = {
  'a kind (files naming the kind list: a `Capability` literal)': naming(/['"]Capability['"]|\bCapability\s*:/),
  'a provider (files naming the `noop` provider)': naming(/\bnoop\b/),
  'an output format (files naming the `junit` format)': naming(/\bjunit\b/i),
  'an API route (files naming an action route: `/approve`)': naming(/\/approve\b/),
}

// The places that answer one question (issue 12): how many files implement the CLI's action verbs
// (record approve/reject/cancel/retry/claim/complete: through the port's request(), git-store's
// request recorder or the API client directly), and which shells retry with their own loop
// (backoffDelay outside the engine's work queue) rather than through createWorkQueue.
const cliSources = handWritten.filter((s) => s.pkg === 'cli')
const answers = {
  'CLI files that implement the action verbs (approve, reject, cancel, retry, work claim/complete)': cliSources.filter((s) => /\.request\(\s*(action|verb|'(approve|reject|cancel|retry|claim|complete)')|recordGitRequest\(/.test(s.text)).map((s) => relative(s.file)).sort(),
  'CLI files that implement work list': cliSources.filter((s) => /No work waiting/.test(s.text)).map((s) => relative(s.file)).sort(),
  'shell files with their own retry loop (backoffDelay outside the work queue)': handWritten.filter((s) => s.pkg !== 'core' && !s.file.endsWith('work-queue.ts') && /\bbackoffDelay\(/.test(s.text)).map((s) => relative(s.file)).sort(),
  'shell files that queue work on createWorkQueue': handWritten.filter((s) => !s.file.endsWith('work-queue.ts') && /\bcreateWorkQueue\b\s*[<(]/.test(s.text)).map((s) => relative(s.file)).sort(),
}

// Issue 12's status-branch model: where its types are declared, who decides a lease's epoch, and
// who reads the clock in the agent and git-store (only their system-clock.ts should).
const declaring = (re) => handWritten.filter((s) => re.test(s.text)).map((s) => relative(s.file)).sort()
const uncommented = (text) => text.split('\n').filter((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line)).join('\n')
const gitMode = handWritten.filter((s) => ['core', 'agent', 'git-store'].includes(s.pkg))
const statusModel = {
  'status-branch types declared on their own in core, agent and git-store (`interface StatusDoc|StoredStatus|StatusUpdate|Lease|ChangeAuthor|TamperedFile|StatusSnapshot` that extends nothing)': gitMode.flatMap((s) => [...s.text.matchAll(/export interface (StatusDoc|StoredStatus|StatusUpdate|Lease|ChangeAuthor|TamperedFile|StatusSnapshot)\b(?:<[^>]*>)?\s*\{/g)].map((m) => `${relative(s.file)}: ${m[1]}`)).sort(),
  'lease epoch decisions (files that grow an epoch)': declaring(/epoch\s*\+\s*1|epoch \?\? 0\) \+ 1/),
  'clock reads in agent and git-store src outside system-clock.ts (`Date.now`, `new Date()`, comments aside)': handWritten.filter((s) => (s.pkg === 'agent' || s.pkg === 'git-store') && !s.file.endsWith('system-clock.ts')).flatMap((s) => [...uncommented(s.text).matchAll(/\bDate\.now\b|new Date\(\)/g)].map(() => relative(s.file))).sort(),
}

const out = []
out.push(`packages: ${packages.length} (+ schemas, tools)`, '')
out.push(`cross-package import statements in src: ${totalImports}`)
for (const [name, n] of [...importCounts].sort((a, b) => b[1] - a[1])) out.push(`  ${String(n).padStart(4)} from '${name}'`)
out.push('', `package -> package dependency edges (package.json): ${edgeCount}`)
for (const e of edges) out.push(`  ${e.name} -> ${e.deps.join(' ')}`)
for (const [point, files] of Object.entries(points)) {
  out.push('', `files to touch to add ${point}: ${files.length}`)
  for (const f of files) out.push(`  ${f}`)
}
for (const [question, files] of Object.entries(answers)) {
  out.push('', `${question}: ${files.length}`)
  for (const f of files) out.push(`  ${f}`)
}
for (const [what, list] of Object.entries(statusModel)) {
  out.push('', `${what}: ${list.length}`)
  for (const f of list) out.push(`  ${f}`)
}
console.log(out.join('\n'))
