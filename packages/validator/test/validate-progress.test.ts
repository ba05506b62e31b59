import { describe, expect, it } from 'vitest'
import { validateParallel, type SourceFile } from '../src/index.js'

const workerUrl = new URL('../dist/validate-worker.js', import.meta.url)
const GOAL = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: ok\nspec:\n  description: A fine goal\n'
const FILES: SourceFile[] = Array.from({ length: 600 }, (_, i) => ({ file: `goals/goal-${i}.yaml`, text: GOAL.replace('name: ok', `name: goal-${i}`) }))

/** Records every progress report. */
function recorder(): { reports: [number, number][]; onProgress: (checked: number, total: number) => void } {
  const reports: [number, number][] = []
  return { reports, onProgress: (checked, total) => reports.push([checked, total]) }
}

describe('validation progress', () => {
  it('reports every file checked in this thread, rising to the total', async () => {
    const { reports, onProgress } = recorder()
    const result = await validateParallel(FILES, { jobs: 1, onProgress })
    expect(result.summary.files).toBe(600)
    expect(reports).toHaveLength(600)
    expect(reports.at(-1)).toEqual([600, 600])
    expect(reports.every(([checked], i) => checked === i + 1)).toBe(true)
  })

  it('reports batches checked by the workers and this thread, rising to the total', async () => {
    const { reports, onProgress } = recorder()
    const result = await validateParallel(FILES, { jobs: 2, parallelFromBytes: 0, workerUrl, onProgress })
    expect(result.summary.files).toBe(600)
    expect(reports.length).toBeGreaterThan(1)
    expect(reports.map(([checked]) => checked)).toEqual([...reports.map(([checked]) => checked)].sort((a, b) => a - b))
    expect(reports.at(-1)).toEqual([600, 600])
  })
})
