import { readFileSync } from 'node:fs'

/** A process group as journaled before its attempt starts: leader pid (= pgid) and its start time. */
export interface RecordedGroup {
  readonly pid: number
  readonly pgid: number
  /** The leader's start time (clock ticks since boot, `/proc/PID/stat` field 22): tells a reused pid. */
  readonly startTime?: string
}

/**
 * Reads a process's start time from `/proc/PID/stat` (Linux), which tells the process recorded in
 * a journal from another that reused its pid later. `undefined` when the process does not exist
 * or the platform has no `/proc`.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19]
  } catch {
    return undefined
  }
}

/** Whether the recorded leader is still the process it was (alive, same start time). */
export function leaderAlive(group: RecordedGroup): boolean {
  if (!signal(group.pid, 0)) return false
  const now = processStartTime(group.pid)
  return group.startTime === undefined || now === undefined || now === group.startTime
}

/** Whether any process of the recorded group is left, and the group is still the recorded one. */
export function groupAlive(group: RecordedGroup): boolean {
  if (!signal(-group.pgid, 0)) return false
  // A pgid is not reused while its group exists; if the leader's pid runs another process, the
  // group we see is a new one that took the id after ours ended.
  return !signal(group.pid, 0) || leaderAlive(group)
}

/**
 * Terminates a recorded process group the way Kubernetes stops a pod: SIGTERM to the whole group,
 * a grace period (polling every 50 ms), then SIGKILL to what is left. Does nothing when the group
 * is gone or is not the recorded one. Resolves with whether it had to signal anything.
 */
export async function terminateGroup(group: RecordedGroup, graceMs: number): Promise<boolean> {
  if (!groupAlive(group)) return false
  signal(-group.pgid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline && groupAlive(group)) await new Promise((resolve) => setTimeout(resolve, 50))
  if (groupAlive(group)) signal(-group.pgid, 'SIGKILL')
  return true
}

function signal(target: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, name)
    return true
  } catch {
    // ESRCH: gone. EPERM: it exists but is someone else's: not ours to signal, nor to wait on.
    return false
  }
}
