import type { Octokit } from '@octokit/rest'
import { afterEach, beforeEach, expect } from 'vitest'
import { startFakeGitHub, type FakeGitHub } from './fake-github.js'
import { createTestOctokit } from './test-octokit.js'

/**
 * Starts a fake GitHub before each test of the file and stops it after, failing the test when
 * any request or response broke the OpenAPI description.
 */
export function useFakeGitHub(): { readonly github: FakeGitHub; readonly octokit: Octokit } {
  let github: FakeGitHub | undefined
  let octokit: Octokit | undefined
  beforeEach(async () => {
    github = await startFakeGitHub()
    octokit = createTestOctokit(github)
  })
  afterEach(async () => {
    const violations = github?.violations ?? []
    await github?.close()
    expect(violations).toEqual([])
  })
  return {
    get github() {
      return github as FakeGitHub
    },
    get octokit() {
      return octokit as Octokit
    },
  }
}
