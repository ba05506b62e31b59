/** A rendering of one section: its text, and whether it is complete (nothing left out). */
export interface Rendered {
  readonly text: string
  readonly complete: boolean
}

/**
 * One section of a Markdown body. `render(budget)` returns the fullest form that fits in
 * `budget` characters; `render(0)` returns the minimal form (a heading and one line), which is
 * always accepted. `priority` orders who gets room first: 0 is the most important.
 */
export interface Section {
  readonly priority: number
  readonly render: (budget: number) => Rendered
}

/** Options of {@link fitSections}. */
export interface FitOptions {
  /** Largest body, in UTF-16 code units (GitHub counts characters; this is never fewer). */
  readonly maxLength: number
  /** The line added when anything was shortened, e.g. a pointer to the job summary. */
  readonly note: string
  /** Lines that always come first, such as the sticky marker. */
  readonly preamble?: string
}

const GAP = '\n\n'

/**
 * Joins sections into one body of at most `maxLength` characters. Every section first gets its
 * minimal form; the room left goes to the sections by priority, most important first, each taking
 * the fullest form that fits. So the least important sections are the first to be summarized and
 * then reduced to their minimal form. When any section is not complete, `note` ends the body.
 * If even the minimal forms do not fit (a tiny `maxLength`), the body is cut hard and still ends
 * with the note.
 */
export function fitSections(sections: readonly Section[], options: FitOptions): string {
  const preamble = options.preamble === undefined ? [] : [options.preamble]
  const minimal = sections.map((s) => s.render(0))
  const fixed = [...preamble, ...minimal.map((m) => m.text), options.note].join(GAP).length
  let room = options.maxLength - fixed
  const chosen = [...minimal]
  const order = sections.map((_, i) => i).sort((a, b) => (sections[a] as Section).priority - (sections[b] as Section).priority || a - b)
  for (const i of order) {
    const floor = (minimal[i] as Rendered).text.length
    if (room <= 0 || (minimal[i] as Rendered).complete) continue
    const rendered = (sections[i] as Section).render(floor + room)
    if (rendered.text.length > floor + room) continue
    chosen[i] = rendered
    room -= rendered.text.length - floor
  }
  const complete = chosen.every((c) => c.complete)
  const body = [...preamble, ...chosen.map((c) => c.text).filter((t) => t !== '')].join(GAP)
  const full = complete ? `${body}\n` : `${body}${GAP}${options.note}\n`
  if (full.length <= options.maxLength) return full
  return hardCut(body, options.note, options.maxLength)
}

/** Cuts `body` so that it and the note fit, never splitting a surrogate pair. */
function hardCut(body: string, note: string, maxLength: number): string {
  const tail = `${GAP}${note}\n`
  let end = Math.max(0, maxLength - tail.length)
  if (end > 0 && /[\ud800-\udbff]/.test(body.charAt(end - 1))) end -= 1
  return `${body.slice(0, end)}${tail}`.slice(0, maxLength)
}
