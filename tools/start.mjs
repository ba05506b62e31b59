#!/usr/bin/env node
// `npm start`: the end-to-end demo on embedded defaults. It validates every example repository
// strictly, draws the example plan, then runs it to completion with the editor's approval gate
// approved on the way, showing progress, all through the same code as the `planspec` command.
// (The git sync agent will take this over: it will run the same plan from a local repository.)
import { runCli } from '@planspec/cli'

const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: new URL('..', import.meta.url).pathname, env: process.env }
const steps = [
  ['validate', 'examples/minimal', '--closed'],
  ['validate', 'examples/google-sso', '--closed'],
  ['validate', 'examples/multi-team', '--closed'],
  ['graph', 'examples/minimal', '--plan', 'publish-changelog'],
  ['run', 'examples/minimal', '--execution', 'changelog-2025-w10', '--approve', 'changelog-approval'],
]
for (const argv of steps) {
  process.stdout.write(`\n$ planspec ${argv.join(' ')}\n`)
  const code = await runCli(argv, io)
  if (code !== 0) {
    process.stdout.write(`\nstep failed with exit code ${code}\n`)
    process.exit(code)
  }
}
process.stdout.write('\nDone: the example plan ran to completion with its gate approved. Try: npx planspec --help\n')
