import type { SemanticDiff } from '@planspec/core'
import { pluralize } from '../internal/pluralize.js'
import { codeSpan, escapeMarkdown } from './escape-markdown.js'
import { diagramsSection } from './internal/diagrams-section.js'
import { findingsSection, summaryLine } from './internal/findings-section.js'
import { fitSections, type Section } from './internal/fit-sections.js'
import { countList, GITHUB_COMMENT_LIMIT, overflowNote } from './internal/markdown-format.js'
import { plansSection, providersSection, resourcesSection } from './internal/review-diff-sections.js'
import { approvalsSection, problemsSection, simulationsSection } from './internal/review-run-sections.js'
import type { MarkdownOptions, ReviewMarkdownInput, RevisionLike } from './markdown-types.js'
import { stickyMarker } from './sticky-marker.js'

/**
 * The order in which sections give way when the body is too long, first to last: each is first
 * shortened (fewer rows, smaller diagrams), then reduced to its heading and a line saying what
 * was left out. The header is never shortened. Exported so the documentation and the tests
 * state the same order.
 */
export const REVIEW_TRUNCATION_ORDER = [
  'plan graphs',
  'resources',
  'simulated runs',
  'plans',
  'providers and approvers',
  'validation findings',
  'approvals',
  'problems',
] as const

const priority = (name: (typeof REVIEW_TRUNCATION_ORDER)[number]): number => REVIEW_TRUNCATION_ORDER.length - REVIEW_TRUNCATION_ORDER.indexOf(name)

/**
 * Renders the review of a change as GitHub Markdown, for a sticky pull request comment: a
 * semantic diff rather than a YAML diff (DECISIONS §1.2). In document order:
 * 1. a header: base → head, what changed per kind, how head validates, which Executions the
 *    change touches;
 * 2. problems that would stop a simulated run, then the Gates the touched Executions will wait
 *    on and who may approve them;
 * 3. the validation findings of head (ranked table, file:line links);
 * 4. providers and approvers: capability uses whose provider is new or different, and Gates
 *    whose reviewers or required approvals changed;
 * 5. per Plan, nodes added, removed, changed (which fields) or rewired, and dependencies added,
 *    removed or retyped hard ↔ soft;
 * 6. a Mermaid DAG per Plan whose graph changed, changes highlighted by `classDef`;
 * 7. the simulated runs: start order, layers and critical path;
 * 8. every resource added, removed or changed (collapsed).
 *
 * The body never exceeds `options.maxLength` (default 65,535). When it would, sections give way in
 * {@link REVIEW_TRUNCATION_ORDER} and a closing note points to `options.detailsUrl`. All user
 * text is escaped: identifiers as code spans, prose with `escapeMarkdown`, Mermaid labels with
 * entity codes, so nothing renders as HTML, links or mentions. Deterministic and pure.
 *
 * @example
 * const body = renderReviewMarkdown({ diff, base: { ref: 'main', commit }, head: { ref: 'HEAD' }, validation, simulations }, { marker: 'review' })
 */
export function renderReviewMarkdown(input: ReviewMarkdownInput, options: MarkdownOptions = {}): string {
  const simulations = input.simulations ?? []
  const header = headerText(input)
  const sections: Section[] = [
    { priority: 0, render: () => ({ text: header, complete: true }) },
    problemsSection(simulations, priority('problems')),
    approvalsSection(simulations, priority('approvals')),
    findingsSection('### Validation findings (head)', input.validation?.diagnostics ?? [], priority('validation findings'), options),
    providersSection(input.diff, priority('providers and approvers')),
    plansSection(input.diff, priority('plans')),
    diagramsSection(input.diff.plans, priority('plan graphs')),
    simulationsSection(simulations, priority('simulated runs')),
    resourcesSection(input.diff, priority('resources')),
  ]
  return fitSections(sections, {
    maxLength: options.maxLength ?? GITHUB_COMMENT_LIMIT,
    note: overflowNote(options),
    ...(options.marker === undefined ? {} : { preamble: stickyMarker(options.marker) }),
  })
}

/** The heading and the summary lines. */
function headerText(input: ReviewMarkdownInput): string {
  const lines = ['## PlanSpec review']
  // Never a code span first on a line: three or more backticks there could read as a fence.
  if (input.base !== undefined || input.head !== undefined) lines.push(`Comparing ${revision(input.base, 'base')} → ${revision(input.head, 'head')}`)
  const list: string[] = [`**Changes:** ${changesLine(input.diff)}`]
  if (input.validation !== undefined) list.push(`**Validation of head:** ${summaryLine(input.validation.summary)}`)
  const simulations = input.simulations ?? []
  if (simulations.length > 0) {
    const problems = simulations.reduce((n, s) => n + (s.report === undefined ? 1 : s.report.problems.length), 0)
    const gates = simulations.reduce((n, s) => n + (s.report?.gates.length ?? 0), 0)
    list.push(`**Touched executions:** ${pluralize(simulations.length, 'execution')} simulated, ${problems === 0 ? 'no problem' : `✖ ${pluralize(problems, 'problem')}`}, ${pluralize(gates, 'gate')} to approve`)
  }
  if (input.simulationSkipped !== undefined) list.push(`**Touched executions:** ${pluralize(input.diff.executions.length, 'execution')}, not simulated: ${escapeMarkdown(input.simulationSkipped, 300)}`)
  lines.push(list.map((item) => `- ${item}`).join('\n'))
  return lines.join('\n\n')
}

/** `base` `main` (`abc1234`) for a revision, or its role alone when absent. */
function revision(rev: RevisionLike | undefined, role: string): string {
  if (rev === undefined) return role
  const ref = `${role} ${codeSpan(rev.ref, { max: 100 })}`
  return rev.commit === undefined ? ref : `${ref} (${codeSpan(rev.commit.slice(0, 12))})`
}

/** `Plan 1 changed · Gate 1 added · Binding 1 renamed`, or `none`. */
function changesLine(diff: SemanticDiff): string {
  if (diff.counts.length === 0) return 'none'
  return diff.counts.map((c) => `${escapeMarkdown(c.kind, 40)} ${countList([[c.added, 'added'], [c.removed, 'removed'], [c.changed, 'changed'], [c.renamed, 'renamed']])}`).join(' · ')
}
