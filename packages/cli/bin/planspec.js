#!/usr/bin/env node
// The planspec command: a thin shell over runCli, which owns exit codes. It loads the bundle that
// the build writes (dist/bundle/: the entry main.mjs and the chunks each command loads when it runs), so a
// cold start reads a few files, not hundreds of modules, and only the code the command needs.
import { runCli } from '../dist/bundle/main.mjs'

// Ctrl-C (SIGINT) aborts the command's signal: network calls end at once, runs cancel their
// attempts, servers close; the command then exits 130. A command still busy 5 s later, or a
// second Ctrl-C, ends the process at once (130). SIGTERM stops long-running commands cleanly
// (they finish what they hold, then exit 0).
const stop = new AbortController()
const GRACE_MS = 5000
const stopWith = (signal) => {
  if (stop.signal.aborted) {
    if (signal === 'SIGINT') process.exit(130)
    return
  }
  const reason = new Error(`stopped by ${signal}`)
  reason.name = 'AbortError'
  reason.signal = signal
  stop.abort(reason)
  if (signal === 'SIGINT') setTimeout(() => process.exit(130), GRACE_MS).unref()
}
// A reader that stops reading early (`planspec get -A | head`): end quietly, the way git and
// kubectl end on SIGPIPE (exit 141), instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error
    process.exit(141)
  })
}
process.on('SIGINT', () => stopWith('SIGINT'))
process.on('SIGTERM', () => stopWith('SIGTERM'))
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  env: process.env,
  signal: stop.signal,
})
