import { realpath, stat } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { reviewChange } from '@planspec/engine'
import { renderReviewMarkdown, renderText } from '@planspec/reporter'
import { createValidator, readSource, type SourceFile, type ValidationResult } from '@planspec/validator'
import { collectFiles } from '../files/collect-files.js'
import { EXIT, UsageError, useColor, type CommandIO } from '../io.js'
import { readRevision, resolveCommit } from './review/read-revision.js'
import { renderReviewText, type ReviewReport } from './review/render-review-text.js'
import { runGit, type GitCall } from './review/run-git.js'
import { DEFAULTS } from './validate.js'

import { REVIEW_FORMATS } from '../command-formats.js'

export { REVIEW_FORMATS }

/** The name `planspec review` gives the head when it is the working tree. */
export const WORKING_TREE = 'working tree'

/** Options of `planspec review`. */
export interface ReviewOptions {
  /** A directory or file inside a git checkout. */
  readonly path: string
  /** The revision to compare against. */
  readonly base: string
  /** The revision to review; the working tree when absent. */
  readonly head?: string
  readonly output: (typeof REVIEW_FORMATS)[number]
}

/**
 * Runs `planspec review`: reads the manifests under `path` at the `base` revision and at `head`
 * (a revision, or the working tree with uncommitted and untracked files, as `planspec validate`
 * sees it), validates both, computes the semantic diff (`diffResources`), simulates every head
 * Execution the change touches (`simulateRun`, unless head has validation errors), and prints it
 * as text, GitHub Markdown (`renderReviewMarkdown`) or JSON. Revisions are read with native git
 * (`ls-tree`, `cat-file --batch`), argv only, never a shell, and never through working-tree paths.
 * Files are named by their path in the repository.
 *
 * Exit codes: 0 reviewed, 1 head has validation errors, 2 usage, git or I/O errors.
 */
export async function runReview(options: ReviewOptions, io: CommandIO): Promise<number> {
  if (!REVIEW_FORMATS.includes(options.output)) throw new UsageError(`unknown output format "${options.output}"; use one of ${REVIEW_FORMATS.join(', ')}`)
  const start = resolve(io.cwd, options.path)
  const info = await stat(start).catch(() => undefined)
  // git runs where the path is (its folder for a file); a path missing from the working tree may
  // still exist at the revisions, so git then runs in the current directory.
  const where: GitCall = { cwd: info === undefined ? io.cwd : info.isDirectory() ? start : dirname(start), env: io.env }
  const root = await realpath((await runGit(['rev-parse', '--show-toplevel'], where)).toString('utf8').trim())
  const target = info === undefined ? start : await realpath(start)
  const rel = relative(root, target)
  if (rel.startsWith('..') || isAbsolute(rel)) throw new UsageError(`${options.path} is outside the git repository at ${root}`)
  const prefix = rel.split(sep).join('/')
  const git: GitCall = { cwd: root, env: io.env }
  const limits = { maxFileBytes: DEFAULTS.maxFileBytes, maxDepth: DEFAULTS.maxDepth }

  const baseCommit = await resolveCommit(options.base, git)
  const base = await readRevision(baseCommit, prefix, limits.maxFileBytes, git)
  const head = options.head === undefined ? await readWorkingTree(options.path, info !== undefined, root, io) : { ref: options.head, ...(await readRevision(await resolveCommit(options.head, git), prefix, limits.maxFileBytes, git)) }

  const validator = createValidator()
  const validate = (files: readonly SourceFile[], defaultNamespace: string | undefined): ValidationResult => validator.validate(files, { compat: false, closed: false, defaultNamespace, limits })
  const baseResult = validate(base.files, base.defaultNamespace)
  const headResult = validate(head.files, head.defaultNamespace)
  // The same review as the GitHub Action; the command line shows every head finding, not only the change's.
  const review = await reviewChange({ head: headResult, base: baseResult })
  const headErrors = headResult.summary.errors
  const report: ReviewReport = {
    base: { ref: options.base, commit: baseCommit, summary: baseResult.summary },
    head: { ref: head.ref, ...(head.commit === undefined ? {} : { commit: head.commit }), summary: headResult.summary, diagnostics: headResult.diagnostics },
    diff: review.diff!,
    simulations: [...review.simulations],
    ...(review.simulationSkipped === undefined ? {} : { simulationSkipped: review.simulationSkipped }),
  }
  io.stdout.write(render(options.output, report, headResult, io))
  if (headResult.diagnostics.some((d) => d.code === 'PS1010')) return EXIT.usage
  return headErrors > 0 ? EXIT.findings : EXIT.ok
}

/** Prints the report in the chosen format. */
function render(output: ReviewOptions['output'], report: ReviewReport, head: ValidationResult, io: CommandIO): string {
  if (output === 'json') return `${JSON.stringify(report, null, 2)}\n`
  if (output === 'markdown') {
    return renderReviewMarkdown({
      diff: report.diff,
      base: { ref: report.base.ref, commit: report.base.commit },
      head: { ref: report.head.ref, ...(report.head.commit === undefined ? {} : { commit: report.head.commit }) },
      validation: { diagnostics: head.diagnostics, summary: head.summary },
      simulations: report.simulations,
      ...(report.simulationSkipped === undefined ? {} : { simulationSkipped: report.simulationSkipped }),
    })
  }
  const findings = head.diagnostics.length === 0 ? '' : `\n${renderText(head.diagnostics, head.summary, { color: useColor(io), sources: head.sources })}`
  return renderReviewText(report) + findings
}

/** Reads the working tree under `path` as `planspec validate` does, naming files by their path in the repository. */
async function readWorkingTree(path: string, exists: boolean, root: string, io: CommandIO): Promise<{ ref: string; commit?: string; files: SourceFile[]; defaultNamespace?: string }> {
  if (!exists) throw new UsageError(`path not found: ${path}`)
  const collected = await collectFiles([path], io, DEFAULTS.maxFileBytes)
  const cwd = await realpath(io.cwd)
  const read = await Promise.all(collected.files.map(readSource))
  const files = read.map((f) => ({ ...f, file: relative(root, resolve(cwd, f.file)).split(sep).join('/') }))
  return { ref: WORKING_TREE, files, ...(collected.defaultNamespace === undefined ? {} : { defaultNamespace: collected.defaultNamespace }) }
}
