import { dirname, join } from 'node:path'
import { PLANSPEC_HOME, renderReviewMarkdown, renderSarif, renderValidationMarkdown, sarifRuleDocs, type ReviewMarkdownInput } from '@planspec/reporter'
import { DEFAULT_GITHUB_RETRY_POLICY, type GitHubRetryPolicy } from '@planspec/github'
import { reviewChange } from '@planspec/engine'
import { CODES, createValidator, type SourceFile } from '@planspec/validator'
import type { ActionDeps, ActionResult } from './action-types.js'
import { describeFailure } from './internal/describe-failure.js'
import { postReview, REVIEW_MARKER } from './internal/post-review.js'
import { readActionInputs } from './internal/read-action-inputs.js'
import { readChange } from './internal/read-change.js'
import { readPullRequest } from './internal/read-pull-request.js'
import { readWorkspace } from './internal/read-workspace.js'
import { ANNOTATIONS_PER_SEVERITY, writeAnnotations } from './internal/write-annotations.js'
import { ACTION_VERSION } from './version.js'

/**
 * GitHub retries for a CI step: the library's defaults, but a rate limit is waited out only when
 * it resets within 5 minutes (a job should fail clearly rather than sit for up to an hour).
 */
export const ACTION_RETRY_POLICY = { ...DEFAULT_GITHUB_RETRY_POLICY, maxRateLimitWaitMs: 5 * 60_000 } as const satisfies GitHubRetryPolicy

/** The job summary may hold 1 MiB per step; each part gets a share. */
const SUMMARY_PART = 400_000

/**
 * Runs the PlanSpec Action (action.yml) with `@actions/core`, Octokit and the file system
 * injected:
 * 1. reads the inputs and the checkout's manifests;
 * 2. on a pull request, lists the files it changes (paginated, up to 3,000) and reads the base
 *    version of each changed manifest through the API at the base commit;
 * 3. validates head and base, keeps the findings the change is responsible for, and writes them
 *    as annotations: at most 10 errors and 10 warnings (errors first, then by code and file),
 *    the rest in the job summary;
 * 4. writes SARIF when `sarif-file` is set;
 * 5. renders the review (semantic diff, simulated runs, approvals) and posts or updates ONE
 *    sticky comment, unless `comment` is false or the token is read-only (a fork): then the
 *    review is only in the job summary;
 * 6. sets the outputs `errors`, `warnings` and `review` (the Markdown), and fails when there are
 *    errors (or warnings, with `fail-on-warnings`).
 * Outside a pull request it validates every manifest and posts nothing. Every throw, GitHub
 * failures and thrown non-errors included, ends in `core.setFailed` with a clear message.
 *
 * @example
 * await runAction({ core, octokit, context, fs, cwd: process.env.GITHUB_WORKSPACE })
 */
export async function runAction(deps: ActionDeps): Promise<ActionResult> {
  const counts = { errors: 0, warnings: 0 }
  let comment: ActionResult['comment'] = 'skipped'
  try {
    const { core, context, fs, cwd, octokit } = deps
    const retry = { ...(deps.clock === undefined ? {} : { clock: deps.clock }), policy: deps.policy ?? ACTION_RETRY_POLICY }
    const inputs = readActionInputs(core)
    const { owner, repo } = context.repository
    const pull = readPullRequest(context.payload, context.repository)
    const workspace = await readWorkspace(fs, cwd, inputs.paths)
    if (workspace.truncated) core.warning('The workspace has more YAML files than the Action reads (20,000); the rest were not validated.')
    const change = pull === undefined ? undefined : await readChange({ octokit, owner, repo, pull, workspace, fs, cwd, ...retry })
    const validator = createValidator()
    const validate = (files: readonly SourceFile[]) => validator.validate(files, { compat: inputs.compat, closed: inputs.closed, ...(workspace.defaultNamespace === undefined ? {} : { defaultNamespace: workspace.defaultNamespace }) })
    // The same review as `planspec review`: outside a pull request there is no base, so every finding counts.
    const review = await reviewChange({ head: validate(change?.head ?? [...workspace.files.values()]), ...(change === undefined ? {} : { base: validate(change.base), changed: change.changed }) })
    counts.errors = review.summary.errors
    counts.warnings = review.summary.warnings
    const notAnnotated = writeAnnotations(core, review.findings, review.head.sources)

    if (inputs.sarifFile !== undefined) {
      // The docs of the PlanSpec release this Action runs from (`uses: OWNER/REPO/...@REF`), else the project's.
      const home = context.action === undefined ? PLANSPEC_HOME : `${context.serverUrl}/${context.action.repository}`
      const docsUrl = `${home}/blob/${context.action?.ref ?? 'main'}/docs/diagnostics.md`
      await fs.mkdir(dirname(join(cwd, inputs.sarifFile)))
      await fs.writeFile(join(cwd, inputs.sarifFile), renderSarif(review.findings, review.summary, { toolVersion: ACTION_VERSION, informationUri: home, ruleDocs: sarifRuleDocs(CODES, docsUrl) }))
    }
    const fileLinkBase = pull === undefined ? undefined : `${context.serverUrl}/${owner}/${repo}/blob/${pull.headSha}/`
    const links = { ...(fileLinkBase === undefined ? {} : { fileLinkBase }), ...(context.runUrl === undefined ? {} : { detailsUrl: context.runUrl }) }
    const reviewInput: ReviewMarkdownInput | undefined =
      pull === undefined || review.diff === undefined
        ? undefined
        : {
            diff: review.diff,
            base: { ref: pull.baseRef, commit: pull.baseSha },
            head: { ref: pull.headRef, commit: pull.headSha },
            validation: { diagnostics: review.findings, summary: review.summary },
            simulations: review.simulations,
            ...(review.simulationSkipped === undefined ? {} : { simulationSkipped: review.simulationSkipped }),
          }
    const body = reviewInput === undefined ? '' : renderReviewMarkdown(reviewInput, { marker: REVIEW_MARKER, ...links })
    const summary = [
      notAnnotated.length === 0
        ? ''
        : `> GitHub shows ${ANNOTATIONS_PER_SEVERITY} errors and ${ANNOTATIONS_PER_SEVERITY} warnings per step as annotations: ${notAnnotated.length} more findings are only in the table below.\n`,
      renderValidationMarkdown(review.findings, review.summary, { maxLength: SUMMARY_PART, ...links }),
      reviewInput === undefined ? '' : renderReviewMarkdown(reviewInput, { maxLength: SUMMARY_PART, ...links }),
    ]
    await core.summary
      .addRaw(summary.filter((part) => part !== '').join('\n'), true)
      .write()
      .catch((error: unknown) => core.warning(`could not write the job summary: ${describeFailure(error)}`))

    core.setOutput('errors', String(counts.errors))
    core.setOutput('warnings', String(counts.warnings))
    core.setOutput('review', body)
    if (pull !== undefined && inputs.comment) {
      comment = 'failed'
      comment = await postReview({ core, octokit, owner, repo, pull, eventName: context.eventName, body, ...retry })
    }

    const failure =
      counts.errors > 0
        ? `${counts.errors} error${counts.errors === 1 ? '' : 's'} in the PlanSpec manifests${pull === undefined ? '' : ' this pull request changes'}`
        : inputs.failOnWarnings && counts.warnings > 0
          ? `${counts.warnings} warning${counts.warnings === 1 ? '' : 's'} in the PlanSpec manifests (fail-on-warnings is on)`
          : undefined
    if (failure !== undefined) core.setFailed(failure)
    return { ...counts, comment, ...(failure === undefined ? {} : { failure }) }
  } catch (error) {
    const failure = describeFailure(error)
    deps.core.setFailed(failure)
    return { ...counts, comment, failure }
  }
}
