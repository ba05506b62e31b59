import type { SarifRuleDoc } from '../types.js'

/** The PlanSpec project's home: the `informationUri` of SARIF logs and the base of the docs links. */
export const PLANSPEC_HOME = 'https://github.com/planspec/planspec'

/** One entry of a diagnostic code catalog, shaped like the validator's `CODES`. */
export interface CodeCatalogEntry {
  readonly title: string
  readonly help: string
  readonly example?: string
}

/**
 * Builds the SARIF rule documentation of every code of a catalog (the validator's `CODES`):
 * the title as short description, the help as full description and help text, a Markdown help
 * with the example, and a `helpUri` to the code's section of `docs/diagnostics.md` at
 * `docsUrl` (its GitHub heading anchor, e.g. `#ps3003-dependson-names-an-unknown-node`). Pure.
 *
 * @example
 * sarifRuleDocs(CODES, 'https://github.com/o/planspec/blob/v0.1.0/docs/diagnostics.md')
 */
export function sarifRuleDocs(catalog: Readonly<Record<string, CodeCatalogEntry>>, docsUrl: string): ReadonlyMap<string, SarifRuleDoc> {
  return new Map(
    Object.entries(catalog).map(([code, entry]) => {
      const heading = `${code}: ${entry.title}`
      const helpUri = `${docsUrl}#${githubAnchor(heading)}`
      const example = entry.example === undefined || entry.example === '' ? '' : `\n\nExample:\n\n${fence(entry.example)}`
      const helpMarkdown = `**${code}: ${escapeInline(entry.title)}**\n\n${escapeInline(entry.help)}${example}\n\nSee [${code} in the PlanSpec diagnostics](${helpUri}).`
      return [code, { name: pascalCase(entry.title), shortDescription: entry.title, fullDescription: entry.help, helpText: entry.help, helpMarkdown, helpUri }]
    }),
  )
}

/**
 * The anchor GitHub gives a Markdown heading: lower case, punctuation removed (letters, digits,
 * `_`, `-` and spaces kept), spaces turned into `-`. The same algorithm as `github-slugger`.
 */
export function githubAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** `dependsOn names an unknown node` → `DependsOnNamesAnUnknownNode`. */
function pascalCase(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')
}

/** A fenced YAML block whose fence is longer than any backtick run inside. */
function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const ticks = '`'.repeat(longest + 1)
  return `${ticks}yaml\n${text}\n${ticks}`
}

/** Text shown literally inside a Markdown paragraph. */
function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~!&]/g, '\\$&')
}
