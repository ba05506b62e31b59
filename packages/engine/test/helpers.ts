import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DispatchRequest, SpawnFn } from '../src/index.js'

export const NODE = process.execPath
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
export const EXEC_CHILD = join(FIXTURES, 'exec-child.mjs')

/** Makes a fresh temp directory. */
export function tempDir(prefix = 'planspec-engine-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

/** Builds a dispatch request with test defaults. */
export function request(overrides: Partial<DispatchRequest> & { workspace: string }): DispatchRequest {
  return {
    runId: 'uid-1/build/1',
    node: 'build',
    attempt: 1,
    provider: 'exec://build',
    config: {},
    inputs: {},
    declaredOutputs: [],
    signal: new AbortController().signal,
    ...overrides,
  }
}

/** Wraps the real spawn and counts calls. */
export function countingSpawn(): { spawn: SpawnFn; calls: () => number } {
  let calls = 0
  return {
    spawn: (file, args, options) => {
      calls += 1
      return spawn(file, [...args], options)
    },
    calls: () => calls,
  }
}

/** Tells whether a pid is a live (non-zombie) process. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) Z/.test(stat)
  } catch {
    return false
  }
}

/** Polls until `fn` is true or `ms` elapsed. */
export async function eventually(fn: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (fn()) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return fn()
}
