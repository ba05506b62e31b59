import { afterEach, describe, expect, it } from 'vitest'
import { GitInvalidInputError, readExecutionLogs, readStatus, writeStatusCommit } from '../src/index.js'
import { cleanup, startRemote } from './helpers.js'

afterEach(cleanup)

const SOURCE = 'a'.repeat(40)
const execution = (status: Record<string, unknown>) => ({ kind: 'Execution', namespace: 'default', name: 'e1', status })
const blob = (node: string, attempt: number, stream: 'stdout' | 'stderr', text: string) => ({ namespace: 'default', execution: 'e1', node, attempt, stream, text })

describe('attempt logs on the status branch', () => {
  it('writes one blob per attempt and stream in the status commit, reads them back, and removes them with the Execution', async () => {
    const remote = await startRemote({ own: true })
    const agent = await remote.agent()
    const first = await writeStatusCommit({ ...agent, base: null, sourceRevision: SOURCE, changes: [execution({ phase: 'Running' })], logs: [blob('build', 1, 'stdout', 'compiled\n'), blob('build', 1, 'stderr', '')] })
    expect([...first.paths].sort()).toEqual(['default/executions/e1.yaml', 'logs/default/e1/build/1.stderr', 'logs/default/e1/build/1.stdout'])
    // Logs alone (a running attempt's output so far): one more commit; the same bytes again: none.
    const second = await writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [], logs: [blob('test', 2, 'stdout', 'ok\n')] })
    expect(second.paths).toEqual(['logs/default/e1/test/2.stdout'])
    expect((await writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [], logs: [blob('test', 2, 'stdout', 'ok\n')] })).outcome).toBe('unchanged')
    const reader = await remote.agent()
    await readStatus(reader)
    const logs = await readExecutionLogs({ ...reader, namespace: 'default', execution: 'e1' })
    expect(logs.sort((a, b) => `${a.node}${a.stream}`.localeCompare(`${b.node}${b.stream}`))).toEqual([
      { node: 'build', attempt: 1, stream: 'stderr', text: '' },
      { node: 'build', attempt: 1, stream: 'stdout', text: 'compiled\n' },
      { node: 'test', attempt: 2, stream: 'stdout', text: 'ok\n' },
    ])
    const deleted = await writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [{ kind: 'Execution', namespace: 'default', name: 'e1', delete: true }] })
    expect([...deleted.paths].sort()).toEqual(['default/executions/e1.yaml', 'logs/default/e1'])
    await readStatus(reader)
    expect(await readExecutionLogs({ ...reader, namespace: 'default', execution: 'e1' })).toEqual([])
  })

  it('refuses a log path that could leave its directory', async () => {
    const remote = await startRemote({ own: true })
    const agent = await remote.agent()
    for (const bad of [blob('../x', 1, 'stdout', ''), blob('build', 0, 'stdout', ''), { ...blob('build', 1, 'stdout', ''), execution: 'E/1' }, { ...blob('build', 1, 'stdout', ''), stream: 'stdin' as 'stdout' }]) {
      await expect(writeStatusCommit({ ...agent, base: null, sourceRevision: SOURCE, changes: [], logs: [bad] })).rejects.toBeInstanceOf(GitInvalidInputError)
    }
  })
})
