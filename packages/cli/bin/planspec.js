#!/usr/bin/env node
// The planspec command: a thin shell over runCli, which owns exit codes.
import { runCli } from '../dist/index.js'

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  env: process.env,
})
process.exitCode = code
