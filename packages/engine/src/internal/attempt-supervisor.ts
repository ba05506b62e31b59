/**
 * The program of an attempt's supervisor, run as `node -e SUPERVISOR_SOURCE DIR DEADLINE MAX --
 * ARGV...` in its own process group (it is the group's leader, so the group id is its pid). It
 * reads one line from stdin and runs the command only if that line is `go` (the runner writes it
 * after journaling the group: a runner that dies first closes stdin and nothing runs). It feeds
 * `DIR/stdin` to the command (no shell, the supervisor's environment and cwd), copies stdout and
 * stderr to `DIR/stdout` and `DIR/stderr` (at most MAX bytes each), and records how it ended in
 * `DIR/result.json` (temp file, fsync, rename): `exited`, `signaled`, `timeout` (at the absolute
 * DEADLINE, epoch ms), `too-large` or `spawn-error`. Then it kills its whole group (the command's
 * leftovers, itself included). It needs no runner to do any of this, so a runner that restarts
 * finds the result on disk, or waits for it. Only Node built-ins; no argument is ever interpreted
 * by a shell.
 */
export const SUPERVISOR_SOURCE = String.raw`
'use strict'
const fs = require('fs')
const path = require('path')
const cp = require('child_process')
const [dir, deadlineText, maxText, marker, ...argv] = process.argv.slice(1)
if (marker !== '--' || argv.length === 0) process.exit(2)
const deadline = Number(deadlineText)
const max = Number(maxText)
let line = ''
let started = false
let done = false
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  line += chunk
  if (line.includes('\n')) start()
})
process.stdin.on('end', () => {
  if (!started) process.exit(0)
})
function write(name, text) {
  const file = path.join(dir, name)
  const fd = fs.openSync(file + '.tmp', 'w', 0o600)
  fs.writeSync(fd, text)
  fs.fsyncSync(fd)
  fs.closeSync(fd)
  fs.renameSync(file + '.tmp', file)
  try {
    const dfd = fs.openSync(dir, 'r')
    fs.fsyncSync(dfd)
    fs.closeSync(dfd)
  } catch {}
}
function record(result) {
  if (done) return
  done = true
  write('result.json', JSON.stringify(result))
  try { process.kill(-process.pid, 'SIGKILL') } catch {}
  process.exit(0)
}
function start() {
  if (started) return
  started = true
  if (line.slice(0, line.indexOf('\n')) !== 'go') process.exit(0)
  process.stdin.destroy()
  const out = fs.openSync(path.join(dir, 'stdout'), 'w', 0o600)
  const err = fs.openSync(path.join(dir, 'stderr'), 'w', 0o600)
  const input = fs.openSync(path.join(dir, 'stdin'), 'r')
  let child
  try {
    child = cp.spawn(argv[0], argv.slice(1), { stdio: [input, 'pipe', 'pipe'], env: process.env, cwd: process.cwd(), shell: false })
  } catch (e) {
    return record({ kind: 'spawn-error', code: (e && e.code) || 'SPAWN_FAILED' })
  }
  const sizes = { stdout: 0, stderr: 0 }
  const copy = (stream, fd, name) =>
    stream.on('data', (chunk) => {
      sizes[name] += chunk.length
      if (sizes[name] > max) return record({ kind: 'too-large', stream: name })
      fs.writeSync(fd, chunk)
    })
  copy(child.stdout, out, 'stdout')
  copy(child.stderr, err, 'stderr')
  let ended
  const finish = () => {
    fs.fsyncSync(out)
    fs.fsyncSync(err)
    record(ended.signal ? { kind: 'signaled', signal: ended.signal } : { kind: 'exited', code: ended.code === null ? -1 : ended.code })
  }
  child.on('error', (e) => {
    if (child.pid === undefined) record({ kind: 'spawn-error', code: (e && e.code) || 'SPAWN_FAILED' })
  })
  // A grandchild may hold the pipes open after the command exits: wait a little, then record.
  child.on('exit', (code, signal) => {
    ended = { code, signal }
    setTimeout(finish, 2000)
  })
  child.on('close', () => {
    if (ended) finish()
  })
  setTimeout(() => record({ kind: 'timeout' }), Math.max(0, deadline - Date.now()))
}
`
