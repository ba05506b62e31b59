// A ledger of side effects with timestamps: every attempt of the test commands appends a `start`
// line when it begins and an `end` line when it is done (O_APPEND: lines never interleave).
import { existsSync, readFileSync } from 'node:fs'
import { expect } from 'vitest'

/** The node program of a command that records its run id, works `sleepMs`, and answers `{done}`. */
export function ledgerCommand(ledger: string, sleepMs: number, failFirstAttemptOf?: string): string {
  const fail = failFirstAttemptOf === undefined ? '' : `if (process.env.PLANSPEC_NODE === ${JSON.stringify(failFirstAttemptOf)} && process.env.PLANSPEC_ATTEMPT === '1') process.exit(1);`
  return `const fs = require('fs'); const id = process.env.PLANSPEC_RUN_ID; fs.appendFileSync(${JSON.stringify(ledger)}, id + ' start ' + Date.now() + '\\n'); setTimeout(() => { fs.appendFileSync(${JSON.stringify(ledger)}, id + ' end ' + Date.now() + '\\n'); ${fail} console.log(JSON.stringify({ done: process.env.PLANSPEC_NODE })) }, ${sleepMs})`
}

export interface LedgerEntry {
  readonly runId: string
  readonly node: string
  readonly attempt: number
  readonly start: number
  readonly end?: number
}

/** Reads the ledger: one entry per run id, with its start and (if it got there) end. */
export function readLedger(ledger: string): LedgerEntry[] {
  if (!existsSync(ledger)) return []
  const entries = new Map<string, { runId: string; node: string; attempt: number; start: number; end?: number; starts: number }>()
  for (const line of readFileSync(ledger, 'utf8').trim().split('\n').filter((l) => l !== '')) {
    const [runId, what, at] = line.split(' ') as [string, string, string]
    const [node, attempt] = runId.split('/').slice(-2) as [string, string]
    const entry = entries.get(runId) ?? { runId, node, attempt: Number(attempt), start: Number(at), starts: 0 }
    if (what === 'start') entry.starts += 1
    else entry.end = Number(at)
    entries.set(runId, entry)
  }
  for (const entry of entries.values()) expect(entry.starts, `${entry.runId} started ${entry.starts} times`).toBe(1)
  return [...entries.values()].map(({ starts: _starts, ...entry }) => entry)
}

/**
 * Asserts the side effects of a run: no attempt (run id) ran twice, and the attempts of one node
 * never overlapped in time (each one ended before the next began).
 */
export function expectNoDoubleSideEffects(entries: readonly LedgerEntry[], label: string): void {
  const byNode = new Map<string, LedgerEntry[]>()
  for (const entry of entries) byNode.set(`${entry.runId.split('/').slice(0, -2).join('/')}/${entry.node}`, [...(byNode.get(`${entry.runId.split('/').slice(0, -2).join('/')}/${entry.node}`) ?? []), entry])
  for (const [node, attempts] of byNode) {
    const ordered = [...attempts].sort((a, b) => a.start - b.start)
    for (let i = 1; i < ordered.length; i++) {
      const previous = ordered[i - 1]!
      expect(previous.end, `${label}: ${previous.runId} never ended but ${ordered[i]!.runId} started`).toBeDefined()
      expect(previous.end!, `${label}: ${node} attempts overlap (${previous.runId} until ${previous.end}, ${ordered[i]!.runId} from ${ordered[i]!.start})`).toBeLessThanOrEqual(ordered[i]!.start)
    }
  }
}
