import { describe, expect, it } from 'vitest'
import { renderBlocks, blockSection, row } from '../../src/markdown/internal/fit-blocks.js'
import { fitSections, type Section } from '../../src/markdown/internal/fit-sections.js'

/** A section whose full form is `full` and whose minimal form is `min`. */
const fixed = (priority: number, full: string, min: string): Section => ({ priority, render: (budget) => (budget >= full.length ? { text: full, complete: true } : { text: min, complete: false }) })
const rows = (n: number, prefix = 'r'): string[] => Array.from({ length: n }, (_, i) => row([`${prefix}${i}`, 'x']))

describe('fitSections', () => {
  it('joins complete sections without a note when everything fits', () => {
    expect(fitSections([fixed(0, 'A', 'a'), fixed(1, 'B', 'b')], { maxLength: 1000, note: 'NOTE' })).toBe('A\n\nB\n')
    expect(fitSections([fixed(0, 'A', 'a')], { maxLength: 1000, note: 'NOTE', preamble: '<!-- m -->' })).toBe('<!-- m -->\n\nA\n')
  })

  it('gives room to the most important sections first and ends a shortened body with the note', () => {
    const long = 'L'.repeat(50)
    const body = fitSections([fixed(2, long, 'l'), fixed(1, 'B'.repeat(40), 'b'), fixed(0, 'HEAD', 'HEAD')], { maxLength: 70, note: 'NOTE' })
    expect(body).toBe(`l\n\n${'B'.repeat(40)}\n\nHEAD\n\nNOTE\n`)
    expect(body.length).toBeLessThanOrEqual(70)
  })

  it('gives room in document order between sections of equal priority', () => {
    expect(fitSections([fixed(1, 'A'.repeat(20), 'a'), fixed(1, 'B'.repeat(20), 'b')], { maxLength: 40, note: 'N' })).toBe(`${'A'.repeat(20)}\n\nb\n\nN\n`)
  })

  it('leaves out empty sections and keeps a section whose fuller form overshoots its budget minimal', () => {
    const greedy: Section = { priority: 1, render: (budget) => (budget === 0 ? { text: 'g', complete: false } : { text: 'G'.repeat(budget + 5), complete: true }) }
    const empty: Section = { priority: 2, render: () => ({ text: '', complete: true }) }
    expect(fitSections([fixed(0, 'A', 'a'), empty, greedy], { maxLength: 100, note: 'N' })).toBe('A\n\ng\n\nN\n')
  })

  it('cuts hard when even the minimal forms do not fit, keeping the note and surrogate pairs whole', () => {
    const body = fitSections([fixed(0, 'x'.repeat(30), 'y'.repeat(30))], { maxLength: 20, note: 'NOTE' })
    expect(body).toBe(`${'y'.repeat(13)}\n\nNOTE\n`)
    expect(body.length).toBe(20)
    const emoji = 'abcdefghijklm😀😀😀😀😀'
    expect(fitSections([fixed(0, emoji, emoji)], { maxLength: 22, note: 'NOTE' })).toBe('abcdefghijklm😀\n\nNOTE\n')
    expect(fitSections([fixed(0, emoji, emoji)], { maxLength: 21, note: 'NOTE' })).toBe('abcdefghijklm\n\nNOTE\n')
    expect(fitSections([fixed(0, 'abc', 'abc')], { maxLength: 3, note: 'NOTE' })).toBe('\n\nN')
  })
})

describe('renderBlocks', () => {
  const section = { title: '### T', blocks: [{ lead: 'first', header: ['A', 'B'], rows: rows(5) }, { lead: 'second', rows: ['- one', '- two'] }, { lead: 'empty', header: ['A'], rows: [] }], more: (n: number) => `${n} more` }

  it('renders every block when the budget allows, a block without rows as its lead only', () => {
    const full = renderBlocks(section, 10_000)
    expect(full.complete).toBe(true)
    expect(full.text).toBe(['### T', `first\n\n| A | B |\n| --- | --- |\n${rows(5).join('\n')}`, 'second\n\n- one\n- two', 'empty'].join('\n\n'))
  })

  it('keeps the first rows that fit and says how many were left out', () => {
    const two = ['### T', `first\n\n| A | B |\n| --- | --- |\n${rows(2).join('\n')}`, '_5 more_'].join('\n\n')
    expect(renderBlocks(section, two.length)).toEqual({ text: two, complete: false })
    expect(renderBlocks(section, two.length + 5).text).toBe(two)
    const six = ['### T', `first\n\n| A | B |\n| --- | --- |\n${rows(5).join('\n')}`, 'second\n\n- one', '_1 more_'].join('\n\n')
    expect(renderBlocks(section, six.length).text).toBe(six)
    expect(renderBlocks(section, 0)).toEqual({ text: '### T\n\n_7 more_', complete: false })
  })

  it('collapses into details when asked, and treats a section without rows as complete', () => {
    expect(renderBlocks({ title: '### T', intro: 'intro', blocks: [{ lead: '', rows: ['- a'] }], more: () => '', collapse: 'More' }, 1000).text).toBe('### T\n\nintro\n\n<details><summary>More</summary>\n\n- a\n\n</details>')
    expect(renderBlocks({ title: '### T', blocks: [{ lead: 'nothing', rows: [] }], more: () => '' }, 0)).toEqual({ text: '### T\n\nnothing', complete: true })
  })

  it('makes sections that render nothing without blocks', () => {
    expect(blockSection(3, { title: '### T', blocks: [], more: () => '' }).render(100)).toEqual({ text: '', complete: true })
    expect(blockSection(3, section).render(10_000).complete).toBe(true)
  })
})
