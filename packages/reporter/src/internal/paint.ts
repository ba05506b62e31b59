/** The ANSI styles the text renderer uses. */
export type AnsiStyle = 'red' | 'yellow' | 'green' | 'cyan' | 'dim' | 'bold'

// Each style closes with its own reset code (not the global `0`), so styles can nest.
const CODES: Record<AnsiStyle, readonly [number, number]> = {
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
}

/** Wraps `text` in the ANSI codes of `style` when `enabled`; returns it unchanged otherwise. */
export function paint(enabled: boolean, style: AnsiStyle, text: string): string {
  if (!enabled || text === '') return text
  const [open, close] = CODES[style]
  return `\u001b[${open}m${text}\u001b[${close}m`
}
