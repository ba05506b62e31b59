import { hostname } from 'node:os'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { Diagnostic } from '@planspec/core'
import { PLANSPEC_HOME, renderGithub, renderJson, renderJunit, renderSarif, renderText, sarifRuleDocs, type JunitResource } from '@planspec/reporter'
import { CODES, type ValidationResult } from '@planspec/validator'
import { useColor, type CommandIO } from '../../io.js'
import { VERSION } from '../../version.js'
import { runGit } from '../review/run-git.js'

/** The output formats of `planspec validate`. */
export const VALIDATE_FORMATS = ['text', 'json', 'github', 'sarif', 'junit'] as const

/** What a validation run printed: its findings (exit-2 problems included), counts and what the formats read. */
export interface ValidationReport {
  readonly diagnostics: readonly Diagnostic[]
  readonly summary: ValidationResult['summary']
  readonly result?: ValidationResult
  /** When the run started and how long it took, for JUnit. */
  readonly startedAt: number
  readonly durationMs: number
}

/**
 * Renders a validation run in one of the formats of `planspec validate`. SARIF names files
 * relative to the repository root (`git rev-parse --show-toplevel`, else the working directory)
 * and links each rule to its section of docs/diagnostics.md (`PLANSPEC_DOCS_URL` overrides where
 * that is); JUnit gets the document lines of every resource, the time and the host.
 */
export async function renderValidationReport(format: (typeof VALIDATE_FORMATS)[number], report: ValidationReport, io: CommandIO): Promise<string> {
  const { diagnostics, summary, result } = report
  switch (format) {
    case 'json':
      return renderJson(diagnostics, summary)
    case 'github':
      return renderGithub(diagnostics, summary, { ...(result === undefined ? {} : { sources: result.sources }) })
    case 'sarif': {
      const root = await repositoryRoot(io)
      const located = diagnostics.map((d) => ({ ...d, file: fromRoot(root, io.cwd, d.file) }))
      const docsUrl = io.env['PLANSPEC_DOCS_URL'] ?? `${PLANSPEC_HOME}/blob/main/docs/diagnostics.md`
      return renderSarif(located, summary, { toolVersion: VERSION, informationUri: PLANSPEC_HOME, ruleDocs: sarifRuleDocs(CODES, docsUrl) })
    }
    case 'junit':
      return renderJunit(diagnostics, summary, { resources: junitResources(result), startedAt: report.startedAt, durationMs: report.durationMs, hostname: hostname() })
    default:
      return result === undefined ? '' : renderText(diagnostics, summary, { color: useColor(io), sources: result.sources })
  }
}

/** The repository root of the working directory, or the working directory outside a repository. */
async function repositoryRoot(io: CommandIO): Promise<string> {
  try {
    return (await runGit(['rev-parse', '--show-toplevel'], { cwd: io.cwd, env: io.env })).toString('utf8').trim() || io.cwd
  } catch {
    return io.cwd
  }
}

/** A file name (relative to the working directory) as a path from the repository root; absolute outside it; `-` stays. */
function fromRoot(root: string, cwd: string, file: string): string {
  if (file === '-') return file
  const absolute = resolve(cwd, file)
  const rel = relative(root, absolute)
  return rel.startsWith('..') || isAbsolute(rel) ? absolute.split(sep).join('/') : rel.split(sep).join('/')
}

/** Every resource with its document's lines, so JUnit tells apart resources that share a name. */
function junitResources(result: ValidationResult | undefined): JunitResource[] {
  if (result === undefined) return []
  return result.resources.map((r) => {
    const parsed = result.parsed.get(r.file)
    const documents = parsed?.documents ?? []
    const at = documents.findIndex((d) => d.index === r.documentIndex)
    const lineOf = (offset: number): number => parsed?.lineCounter.linePos(offset).line ?? 1
    const start = at < 0 ? undefined : lineOf((documents[at] as { start: number }).start)
    const next = documents[at + 1]
    const end = next === undefined ? Number.MAX_SAFE_INTEGER : Math.max(start ?? 1, lineOf(next.start) - 1)
    return { file: r.file, kind: r.kind, name: r.name, documentIndex: r.documentIndex, ...(start === undefined ? {} : { startLine: start, endLine: end }) }
  })
}
