// The Action's entry point (action.yml `runs.main`, bundled to dist/action.mjs): wires the real
// @actions/core, Octokit, node:fs and the GitHub environment into runAction. ESM only: @actions/core 3
// has no require() export (TOOLCHAIN pitfall 8).
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import * as core from '@actions/core'
import { Octokit } from '@octokit/rest'
import type { ActionContext, ActionFs } from './action-types.js'
import { describeFailure } from './internal/describe-failure.js'
import { runAction } from './run-action.js'
import { ACTION_VERSION } from './version.js'

try {
  const token = core.getInput('token', { required: true })
  core.setSecret(token)
  const env = process.env
  const [owner = '', repo = ''] = (env['GITHUB_REPOSITORY'] ?? '').split('/')
  if (owner === '' || repo === '') throw new Error('GITHUB_REPOSITORY is not set: run this Action in a GitHub workflow')
  const eventPath = env['GITHUB_EVENT_PATH']
  const payload: unknown = eventPath === undefined ? {} : JSON.parse(await readFile(eventPath, 'utf8'))
  const serverUrl = env['GITHUB_SERVER_URL'] ?? 'https://github.com'
  const runId = env['GITHUB_RUN_ID']
  const actionRepository = env['GITHUB_ACTION_REPOSITORY'] ?? ''
  const actionRef = env['GITHUB_ACTION_REF'] ?? ''
  const context: ActionContext = {
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    repository: { owner, repo },
    serverUrl,
    ...(runId === undefined ? {} : { runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` }),
    ...(/^[\w.-]+\/[\w.-]+$/.test(actionRepository) && /^[\w./-]+$/.test(actionRef) ? { action: { repository: actionRepository, ref: actionRef } } : {}),
    payload,
  }
  const fs: ActionFs = {
    readFile: (path) => readFile(path),
    writeFile: (path, data) => writeFile(path, data, 'utf8'),
    mkdir: (path) => mkdir(path, { recursive: true }),
    readdir: (path) => readdir(path, { withFileTypes: true }),
    lstat: (path) => lstat(path),
  }
  // Octokit logs every 4xx itself; runAction reports failures, so its log goes to debug only.
  const log = { debug: core.debug, info: core.debug, warn: core.debug, error: core.debug }
  const octokit = new Octokit({ auth: token, baseUrl: env['GITHUB_API_URL'] ?? 'https://api.github.com', userAgent: `planspec-action/${ACTION_VERSION}`, log })
  await runAction({ core, octokit, context, fs, cwd: env['GITHUB_WORKSPACE'] ?? process.cwd() })
} catch (error) {
  core.setFailed(describeFailure(error))
}
