#!/usr/bin/env node
// The planspec command: a thin shell over runCli, which owns exit codes. It loads the single-file
// bundle that the build writes (dist/planspec.mjs), so a cold start reads one file, not hundreds.
import { runCli } from '../dist/planspec.mjs'

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
