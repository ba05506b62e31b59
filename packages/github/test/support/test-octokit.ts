import { Octokit } from '@octokit/rest'
import { TEST_TOKEN, type FakeGitHub } from './fake-github.js'

/** Octokit's default log writes every 4xx to stderr (TOOLCHAIN pitfall 15). */
export const quietLog = { debug() {}, info() {}, warn() {}, error() {} }

/** An Octokit pointed at the fake, with a quiet log and the given token (default: a writer). */
export function createTestOctokit(github: Pick<FakeGitHub, 'url'>, token: string = TEST_TOKEN): Octokit {
  return new Octokit({ auth: token, baseUrl: github.url, log: quietLog })
}
