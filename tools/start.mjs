#!/usr/bin/env node
// `npm start`: the end-to-end demo on embedded defaults. Until the sync agent lands, it validates
// every example repository strictly and draws each example's main plan, with the same code paths
// as the `planspec` command line.
import { runCli } from '@planspec/cli'

const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: new URL('..', import.meta.url).pathname, env: process.env }
const examples = [
  { dir: 'examples/minimal', plan: 'publish-changelog' },
  { dir: 'examples/google-sso', plan: 'sso-implementation-v2' },
  { dir: 'examples/multi-team', plan: 'payments-launch-v2' },
]

let failed = 0
for (const { dir, plan } of examples) {
  process.stdout.write(`\n━━ ${dir} ━━\n$ planspec validate ${dir} --closed\n`)
  failed += (await runCli(['validate', dir, '--closed'], io)) === 0 ? 0 : 1
  process.stdout.write(`\n$ planspec graph ${dir} --plan ${plan}\n`)
  failed += (await runCli(['graph', dir, '--plan', plan], io)) === 0 ? 0 : 1
}
process.stdout.write(failed ? `\n${failed} step(s) failed\n` : '\nAll examples are valid. Try: npx planspec --help\n')
process.exitCode = failed ? 1 : 0
