import { describe, expect, it } from 'vitest'
import { countList, fileUrl, formatMs, idList, overflowNote, safeUrl } from '../../src/markdown/internal/markdown-format.js'

describe('markdown format helpers', () => {
  it('formats durations, including zero and values that are not finite', () => {
    expect([formatMs(0), formatMs(90_000), formatMs(Number.NaN), formatMs(Infinity)]).toEqual(['0s', '1m30s', '?', '?'])
  })

  it('points the overflow note to the job summary, linked when a URL is given', () => {
    expect(overflowNote({})).toBe('> [!NOTE]\n> Some sections were shortened to fit the comment size limit (65535 characters); the full report is in the job summary.')
    expect(overflowNote({ maxLength: 1000, detailsUrl: 'https://x/run (1)' })).toContain('(1000 characters); the full report is in [the job summary](https://x/run%20%281%29).')
  })

  it('encodes what would end a link destination', () => {
    expect(safeUrl('https://a/b c(d)<e>\\f\ng')).toBe('https://a/b%20c%28d%29%3Ce%3E%5Cf%0Ag')
  })

  it('links repository files line by line and refuses paths a blob URL cannot name', () => {
    expect(fileUrl('https://github.com/o/r/blob/abc', './plans/a b(1).yaml', 12)).toBe('https://github.com/o/r/blob/abc/plans/a%20b%281%29.yaml#L12')
    expect(fileUrl('https://github.com/o/r/blob/abc/', 'plans\\x#y.yaml', 3)).toBe('https://github.com/o/r/blob/abc/plans/x%23y.yaml#L3')
    expect(fileUrl('https://x/', 'bad\ud800.yaml', 1)).toBe('https://x/bad%EF%BF%BD.yaml#L1')
    for (const path of ['/etc/passwd', 'a/../b', 'a//b', 'C:/x.yaml', './']) expect(fileUrl('https://x/', path, 1)).toBeUndefined()
  })

  it('lists counts and identifiers', () => {
    expect(countList([[1, 'added'], [0, 'removed'], [2, 'changed']])).toBe('1 added, 2 changed')
    expect(idList([], 3)).toBe('—')
    expect(idList(['a|b', 'c', 'd'], 2)).toBe('`a\\|b`, `c` +1 more')
    expect(idList(['a|b', 'c'], 2, { table: false, separator: ' → ' })).toBe('`a|b` → `c`')
  })
})
