import { sanitizeTerminal } from './sanitize-terminal.js'

const TAB_WIDTH = 4
// Combining marks and zero-width characters take no cell of their own.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\ufeff]$/u
// East Asian Wide and Fullwidth ranges plus the common emoji blocks take two cells.
const WIDE = /^[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f680}-\u{1f6ff}\u{1f900}-\u{1f9ff}\u{1fa70}-\u{1faff}\u{20000}-\u{3fffd}]$/u

/** One source line as a terminal shows it. */
export interface ExpandedLine {
  /** The line with tabs expanded to spaces and controls made visible. */
  readonly text: string
  /**
   * The terminal cell where each UTF-16 offset of the original line starts; one entry more than
   * the line is long, so the entry at `line.length` is the width of the whole line.
   */
  readonly cells: readonly number[]
}

/**
 * Expands tabs (to stops every 4 cells) and sanitises one line, recording the terminal cell of
 * every UTF-16 offset, so an underline computed from columns lines up with what is shown.
 */
export function expandLine(line: string): ExpandedLine {
  let text = ''
  let cell = 0
  const cells: number[] = []
  for (const char of line) {
    cells.push(cell)
    if (char.length === 2) cells.push(cell)
    if (char === '\t') {
      const spaces = TAB_WIDTH - (cell % TAB_WIDTH)
      text += ' '.repeat(spaces)
      cell += spaces
    } else {
      text += sanitizeTerminal(char)
      cell += ZERO_WIDTH.test(char) ? 0 : WIDE.test(char) ? 2 : 1
    }
  }
  cells.push(cell)
  return { text, cells }
}

/** Returns how many terminal cells `text` (one line) takes once expanded. */
export function textWidth(text: string): number {
  const { cells } = expandLine(text)
  return cells[cells.length - 1] as number
}
