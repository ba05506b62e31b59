#!/usr/bin/env node
// `npm run bench -- <name>`: runs one benchmark (or all). Each reports ratios against a baseline
// measured in the same run, because these machines are noisy.
const benches = { validate: './validate.mjs', engine: './engine.mjs', agent: './agent.mjs', 'agent-burst': './agent-burst.mjs', server: './server.mjs', 'server-inprocess': './server-inprocess.mjs', trust: './trust.mjs', mcp: './mcp.mjs', logs: './logs.mjs' }
// `--db postgres` (server) takes a value: it is not a benchmark's name.
const requested = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && all[i - 1] !== '--db')
const names = requested.length ? requested : Object.keys(benches)
for (const name of names) {
  if (!benches[name]) {
    console.error(`unknown benchmark "${name}"; available: ${Object.keys(benches).join(', ')}`)
    process.exit(2)
  }
  const { run } = await import(benches[name])
  await run(process.argv.slice(2))
}
