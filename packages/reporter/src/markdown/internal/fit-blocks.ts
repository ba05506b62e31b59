import type { Rendered, Section } from './fit-sections.js'

/**
 * A run of Markdown inside a section: lead lines (a sub-heading, an intro), then rows. With a
 * `header` the rows are table rows (already escaped cells joined by the caller's `row`), else
 * plain lines such as list items.
 */
export interface Block {
  readonly lead: string
  readonly header?: readonly string[]
  readonly rows: readonly string[]
}

/** A section made of blocks. */
export interface BlockSection {
  /** The section heading, e.g. `### Resources`. */
  readonly title: string
  /** Text under the title, before the blocks; also part of the minimal form. */
  readonly intro?: string
  readonly blocks: readonly Block[]
  /** Says how many rows were left out (the line that ends a shortened section). */
  readonly more: (hidden: number) => string
  /** Wraps the blocks in `<details>` with this summary (the blocks are collapsed). */
  readonly collapse?: string
}

/** Formats cells as one Markdown table row. Cells must already be escaped. */
export function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`
}

/**
 * Renders a block section in at most `budget` characters: the whole section when it fits, else
 * the first rows that fit (in block order, blocks with no row shown left out) and the `more`
 * line, else the minimal form (title, intro and the `more` line for every row). A section
 * without rows is always complete. The number of
 * rows shown is found by binary search, since the text grows with every row.
 */
export function renderBlocks(section: BlockSection, budget: number): Rendered {
  const total = section.blocks.reduce((n, b) => n + b.rows.length, 0)
  const at = (shown: number): string => compose(section, shown, total)
  const full = at(total)
  if (total === 0 || full.length <= budget) return { text: full, complete: true }
  let low = 0
  let high = total - 1
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (at(mid).length <= budget) low = mid
    else high = mid - 1
  }
  return { text: at(low), complete: false }
}

/** Builds the section text with the first `shown` rows. */
function compose(section: BlockSection, shown: number, total: number): string {
  const parts: string[] = []
  let left = shown
  for (const block of section.blocks) {
    if (left <= 0 && (block.rows.length > 0 || shown < total)) break
    const rows = block.rows.slice(0, left)
    left -= rows.length
    const body = block.header === undefined || rows.length === 0 ? rows : [row(block.header), row(block.header.map(() => '---')), ...rows]
    parts.push([block.lead, body.join('\n')].filter((p) => p !== '').join('\n\n'))
  }
  if (shown < total) parts.push(`_${section.more(total - shown)}_`)
  const inner = parts.join('\n\n')
  const collapsed = section.collapse !== undefined && parts.length > 0 ? `<details><summary>${section.collapse}</summary>\n\n${inner}\n\n</details>` : inner
  return [section.title, section.intro ?? '', collapsed].filter((p) => p !== '').join('\n\n')
}

/** Makes a section of blocks with the given priority; it renders nothing when there are no blocks. */
export function blockSection(priority: number, section: BlockSection): Section {
  if (section.blocks.length === 0) return { priority, render: () => ({ text: '', complete: true }) }
  return { priority, render: (budget) => renderBlocks(section, budget) }
}
