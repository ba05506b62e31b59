import type { Diagnostic } from '@planspec/core'
import { expandLine } from './expand-line.js'
import { paint } from './paint.js'

/**
 * Renders the code frame of a diagnostic: its first line with one line of context above and
 * below, a line-number gutter, and a `^~~~` underline from `column` to `endColumn` (exclusive)
 * on that first line, or to the end of the line when the range spans several lines. Returns no
 * lines when the diagnostic's line is not in `source`.
 */
export function renderCodeFrame(source: string, diagnostic: Diagnostic, color: boolean): string[] {
  // Same line model as the validator's parser: a BOM is dropped and only `\n` ends a line.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  const target = diagnostic.line
  if (target < 1 || target > lines.length) return []
  const first = Math.max(1, target - 1)
  const last = Math.min(lines.length, target + 1)
  const width = String(last).length
  const tone = diagnostic.severity === 'error' ? 'red' : 'yellow'
  const out: string[] = []
  for (let number = first; number <= last; number++) {
    const raw = lines[number - 1] as string
    const { text: shown, cells } = expandLine(raw)
    const marker = number === target ? paint(color, tone, '>') : ' '
    const gutter = paint(color, 'dim', `${String(number).padStart(width)} |`)
    out.push(`  ${marker} ${gutter}${shown === '' ? '' : ` ${shown}`}`)
    if (number !== target) continue
    const start = clamp(diagnostic.column - 1, 0, raw.length)
    const end = diagnostic.endLine > target ? raw.length : clamp(diagnostic.endColumn - 1, start, raw.length)
    const startCell = cells[start] as number
    const span = Math.max(1, (cells[end] as number) - startCell)
    const underline = paint(color, tone, `^${'~'.repeat(span - 1)}`)
    out.push(`    ${paint(color, 'dim', `${' '.repeat(width)} |`)} ${' '.repeat(startCell)}${underline}`)
  }
  return out
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
