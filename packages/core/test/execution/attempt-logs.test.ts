import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { capLogText, createLogFollower, logRefsOf, LOGS_KEY, mergeAttemptLogs, renderAttemptLogs, selectAttemptLogs, tailLines, type AttemptLog } from '../../src/index.js'

const log = (node: string, attempt: number, stream: 'stdout' | 'stderr', text: string): AttemptLog => ({ node, attempt, stream, text, bytes: Buffer.byteLength(text), truncated: false })

describe('attempt logs', () => {
  it('keeps text that fits whole, and the first quarter and the end of longer text around a marker', () => {
    expect(capLogText('hello\n', 100)).toEqual({ text: 'hello\n', bytes: 6, truncated: false })
    const capped = capLogText('a'.repeat(50) + 'b'.repeat(50), 40)
    expect(capped).toEqual({ text: `${'a'.repeat(10)}\n[... 60 bytes truncated ...]\n${'b'.repeat(30)}`, bytes: 100, truncated: true })
  })

  it('never keeps more than the cap plus the marker line (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 8, max: 200 }), (text, max) => {
        const capped = capLogText(text, max)
        const marker = /\n\[\.\.\. (\d+) bytes truncated \.\.\.\]\n/.exec(capped.text)
        if (!text.includes('\uFFFD')) expect(capped.text).not.toContain('\uFFFD')
        if (capped.truncated) expect(Buffer.byteLength(capped.text) - marker![0].length + Number(marker![1])).toBe(capped.bytes)
        expect(Buffer.byteLength(capped.text) - (marker?.[0].length ?? 0)).toBeLessThanOrEqual(max)
        expect(capped.truncated).toBe(Buffer.byteLength(text) > max)
        if (!capped.truncated) expect(capped.text).toBe(text)
      }),
    )
  })

  it('selects the last attempt of each node by default, one attempt, or all, one stream or both, in display order', () => {
    const logs = [log('b', 2, 'stderr', 'b2e'), log('a', 1, 'stdout', 'a1'), log('b', 1, 'stdout', 'b1'), log('b', 2, 'stdout', 'b2')]
    expect(selectAttemptLogs(logs, {}).map((l) => l.text)).toEqual(['a1', 'b2', 'b2e'])
    expect(selectAttemptLogs(logs, { node: 'b', attempt: 1 }).map((l) => l.text)).toEqual(['b1'])
    expect(selectAttemptLogs(logs, { allAttempts: true, stream: 'stdout' }).map((l) => l.text)).toEqual(['a1', 'b1', 'b2'])
  })

  it('renders one log as it is and several under headers; --tail keeps the last lines', () => {
    expect(renderAttemptLogs([log('a', 1, 'stdout', 'x\ny')])).toBe('x\ny\n')
    expect(renderAttemptLogs([log('a', 1, 'stdout', 'x\n'), log('a', 1, 'stderr', '')])).toBe('==> a attempt 1 stdout <==\nx\n==> a attempt 1 stderr <==\n')
    expect(tailLines('1\n2\n3\n', 2)).toBe('2\n3\n')
    expect(tailLines('1\n2\n3', 1)).toBe('3')
    expect(tailLines('1\n2\n', 0)).toBe('')
  })

  it('merges new logs over kept ones and keeps the last attempts of each node', () => {
    const kept = [1, 2, 3].map((n) => log('a', n, 'stdout', `old ${n}`))
    const merged = mergeAttemptLogs(kept, [log('a', 3, 'stdout', 'new 3'), log('a', 4, 'stdout', 'new 4')], 2)
    expect(merged.map((l) => `${l.attempt}:${l.text}`)).toEqual(['3:new 3', '4:new 4'])
  })

  it('follows growing logs: what is new, a header when the log changes, the kept tail after a cut', () => {
    const follower = createLogFollower()
    expect(follower.next([log('a', 1, 'stdout', 'one\n')])).toBe('==> a attempt 1 stdout <==\none\n')
    expect(follower.next([log('a', 1, 'stdout', 'one\ntwo\n')])).toBe('two\n')
    expect(follower.next([log('a', 1, 'stdout', 'one\ntwo\n'), log('a', 1, 'stderr', 'oops')])).toBe('==> a attempt 1 stderr <==\noops')
    expect(follower.next([log('a', 1, 'stdout', 'one\ntwo\nthree\n'), log('a', 1, 'stderr', 'oops')])).toBe('\n==> a attempt 1 stdout <==\nthree\n')
    expect(follower.next([log('a', 1, 'stdout', 'on\n[... 9 bytes truncated ...]\nfour\n')])).toBe('[... 9 bytes truncated ...]\nfour\n')
    expect(createLogFollower({ headers: false }).next([log('a', 1, 'stdout', 'x\n')])).toBe('x\n')
  })

  it('reads the log references a node status keeps, ignoring anything malformed', () => {
    expect(logRefsOf(undefined)).toEqual([])
    expect(logRefsOf({ [LOGS_KEY]: 'not a list' })).toEqual([])
    const ref = { attempt: 1, stream: 'stdout', bytes: 3, truncated: false }
    expect(logRefsOf({ [LOGS_KEY]: [ref, null, 'x', { attempt: '1', stream: 'stdout' }, { attempt: 2, stream: 'stdin' }] })).toEqual([ref])
  })

  it('keeps whole text for a negative tail and nothing for a zero tail; a follower without a marker starts over', () => {
    expect(tailLines('a\nb\n', -1)).toBe('a\nb\n')
    expect(tailLines('a\nb\n', 0)).toBe('')
    expect(tailLines('a\nb', 1)).toBe('b')
    const follower = createLogFollower({ headers: false })
    expect(follower.next([log('a', 1, 'stdout', 'abc')])).toBe('abc')
    // The kept text changed other than by growing, with no truncation marker: all of it again.
    expect(follower.next([log('a', 1, 'stdout', 'xyz\n')])).toBe('xyz\n')
    expect(follower.next([log('a', 1, 'stdout', 'xyz\n')])).toBe('')
  })

  it('keeps every attempt of a node with fewer than the kept number, and follows a log that was cut after a partial line or emptied', () => {
    expect(mergeAttemptLogs([log('a', 1, 'stdout', 'one')], [log('a', 2, 'stdout', 'two'), log('a', 2, 'stderr', 'err')]).map((l) => `${l.attempt}:${l.stream}`)).toEqual(['1:stdout', '2:stdout', '2:stderr'])
    const follower = createLogFollower({ headers: false })
    expect(follower.next([log('a', 1, 'stdout', 'partial')])).toBe('partial')
    // The final version was cut: a new line first, then the marker and the kept tail.
    expect(follower.next([log('a', 1, 'stdout', 'par\n[... 9 bytes truncated ...]\nend\n')])).toBe('\n[... 9 bytes truncated ...]\nend\n')
    expect(follower.next([log('a', 1, 'stdout', '')])).toBe('')
  })

  it('renders an empty log as nothing, with or without a tail', () => {
    expect(renderAttemptLogs([log('a', 1, 'stdout', '')])).toBe('')
    expect(renderAttemptLogs([log('a', 1, 'stdout', '')], { tail: 3 })).toBe('')
    expect(renderAttemptLogs([log('a', 1, 'stdout', 'x')], { tail: 3 })).toBe('x\n')
  })
})
