// Preloaded with `node --import` into a benchmarked process: at exit it writes the process's own
// CPU time (user + system, every thread) and peak resident set size to PLANSPEC_BENCH_USAGE.
import { writeFileSync } from 'node:fs'

const out = process.env.PLANSPEC_BENCH_USAGE
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(out, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS }))
  })
}
