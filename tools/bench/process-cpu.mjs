// CPU time of another process, read from /proc/<pid>/stat: user + system time of every thread
// (fields 14 and 15, in clock ticks). The server benchmark reads it around each round, so that
// it reports the CPU each request costs next to req/s: a figure that a loaded machine changes
// far less than throughput (the other processes take wall-clock time, not this process's CPU).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

/** Returns the CPU time (user + system, all threads) `pid` has used so far, in milliseconds. */
export function cpuTimeMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}

/** Starts a CPU-time measure of `pid`; `stop()` returns the milliseconds used since. */
export function measureCpu(pid) {
  const start = cpuTimeMs(pid)
  return { stop: () => cpuTimeMs(pid) - start }
}
