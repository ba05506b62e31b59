import { CODES } from './codes.js'

const AREAS: Readonly<Record<string, string>> = {
  '1': 'YAML and parsing',
  '2': 'Schema',
  '3': 'Graph',
  '4': 'Cross-reference',
  '5': 'Compat and legacy shapes',
  '6': 'Policy and security',
}

/**
 * Renders the catalog of diagnostic codes as Markdown (docs/diagnostics.md), one section per
 * code with its severity, meaning and an example. Deterministic, so the committed file can be
 * checked against it.
 *
 * @example
 * writeFileSync('docs/diagnostics.md', renderCodeCatalog())
 */
export function renderCodeCatalog(): string {
  const lines = [
    '# Diagnostic codes',
    '',
    'Every finding of `planspec validate` carries one of these codes. A code never changes meaning.',
    'Severities are the defaults: `--compat` turns the 5xxx errors into warnings, `--closed` turns',
    'PS4001 into an error, and `--warnings-as-errors` promotes every warning.',
    '`planspec explain CODE` prints the same text in a terminal.',
    '',
    '<!-- Generated from packages/validator/src/codes.ts by `node tools/docs/generate-diagnostics.mjs`; a test fails when it is stale. -->',
  ]
  let area = ''
  for (const [code, info] of Object.entries(CODES)) {
    if (code[2] !== area) {
      area = code[2]!
      lines.push('', `## ${area}xxx: ${AREAS[area]}`)
    }
    lines.push('', `### ${code}: ${info.title}`, '', `Severity: ${info.severity}.`, '', info.help)
    if (info.example) lines.push('', '```yaml', info.example, '```')
  }
  return lines.join('\n') + '\n'
}
