#!/usr/bin/env node
// The planspec command: a thin shell over runCli, which owns exit codes. It loads the bundle that
// the build writes (dist/bundle/: the entry main.mjs and the chunks each command loads when it runs), so a
// cold start reads a few files, not hundreds of modules, and only the code the command needs.
import { runCli } from '../dist/bundle/main.mjs'

const stop = new AbortController()
process.once('SIGINT', () => stop.abort())
process.once('SIGTERM', () => stop.abort())
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  env: process.env,
  signal: stop.signal,
})
