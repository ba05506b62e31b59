import { describe, expect, it } from 'vitest'
import { notFoundMessage, suggestClosest, suggestClosestAll } from '../src/suggest.js'

describe('did you mean', () => {
  it('suggests the closest candidates, closest first, within the same bound as suggestClosest', () => {
    expect(suggestClosestAll('relase-1', ['release-1', 'release-2', 'deploy', 'release-1'])).toEqual(['release-1', 'release-2'])
    expect(suggestClosestAll('relase-1', ['release-2', 'release-1'], 1)).toEqual(['release-1'])
    expect(suggestClosestAll('abc', ['abc', 'xyz', 'abcdefgh'])).toEqual([])
    expect(suggestClosestAll('Release-1', ['release-1'])).toEqual(['release-1'])
    expect(suggestClosest('relase-1', ['release-2', 'release-1'])).toBe('release-1')
  })

  it('says a name was not found, with its namespace and up to three close names', () => {
    expect(notFoundMessage('Execution', 'relase-1', 'default', ['release-1', 'deploy-2'])).toBe('execution "relase-1" not found in namespace "default" (did you mean "release-1"?)')
    expect(notFoundMessage('Gate', 'aprove', undefined, ['approve', 'approved'])).toBe('gate "aprove" not found (did you mean "approve" or "approved"?)')
    expect(notFoundMessage('Plan', 'plan-10', undefined, ['plan-1', 'plan-2', 'plan-3', 'plan-4'])).toBe('plan "plan-10" not found (did you mean "plan-1", "plan-2", or "plan-3"?)')
    expect(notFoundMessage('Plan', 'nope', 'team', ['publish-changelog'])).toBe('plan "nope" not found in namespace "team"')
  })
})
