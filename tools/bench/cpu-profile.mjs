// Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, as a
// table. Usage: node tools/bench/cpu-profile.mjs FILE.cpuprofile [--top=25]
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Returns the functions of a parsed CPU profile ordered by self time: `{ name, where, selfMs, share }`,
 * where `where` is `file:line` and `share` the fraction of all sampled time (idle included).
 */
export function topSelfTime(profile, top = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map()
  const deltas = profile.timeDeltas
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0))
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const byFunction = new Map()
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame
    const name = frame.functionName || '(anonymous)'
    const where = frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : ''
    const key = `${name} ${where}`
    const entry = byFunction.get(key) ?? { name, where, selfMs: 0, share: 0 }
    entry.selfMs += us / 1000
    entry.share = entry.selfMs / (total / 1000)
    byFunction.set(key, entry)
  }
  return [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)
}

/** Formats {@link topSelfTime} rows as a Markdown table. */
export function formatTable(rows) {
  const lines = ['| Self time | Share | Function | Where |', '|---|---|---|---|']
  for (const row of rows) lines.push(`| ${row.selfMs.toFixed(0)} ms | ${(100 * row.share).toFixed(1)} % | ${row.name} | ${row.where} |`)
  return lines.join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2]
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.split('=')[1] ?? 25)
  console.log(formatTable(topSelfTime(JSON.parse(readFileSync(file, 'utf8')), top)))
}
