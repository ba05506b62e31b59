import { describe, expect, it } from 'vitest'
import { hasStickyMarker, stickyMarker } from '../../src/markdown/sticky-marker.js'

describe('stickyMarker', () => {
  it('writes a hidden HTML comment naming the id', () => {
    expect(stickyMarker('review/pr-42')).toBe('<!-- planspec:review/pr-42 -->')
  })

  it('keeps an id from closing the comment or carrying markup', () => {
    expect(stickyMarker('x --> <b>@all</b>')).toBe('<!-- planspec:x-b-all-/b- -->')
    expect(stickyMarker('a--b')).toBe('<!-- planspec:a-b -->')
    expect(stickyMarker('')).toBe('<!-- planspec:default -->')
  })

  it('finds its own marker in a body and not another one', () => {
    const body = `${stickyMarker('review')}\n## PlanSpec review\n`
    expect(hasStickyMarker(body, 'review')).toBe(true)
    expect(hasStickyMarker(body, 'validate')).toBe(false)
    expect(hasStickyMarker(`${stickyMarker('review-2')}`, 'review')).toBe(false)
  })
})
