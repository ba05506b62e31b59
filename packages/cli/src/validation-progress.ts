import type { Writable } from 'node:stream'

/** From how many files `validate` shows its progress on a terminal. */
export const PROGRESS_FROM_FILES = 200

/** How often the progress line is redrawn at most. */
const REDRAW_MS = 100

/** A progress line updated in place. */
export interface ValidationProgress {
  /** Redraws the line (at most every 100 ms, and always for the last file). */
  update(checked: number, total: number): void
  /** Erases the line, leaving the terminal as it was. */
  clear(): void
}

/**
 * Creates the progress line of a long validation on a terminal's stderr: `validating 523/1500
 * files (34%)`, rewritten in place (carriage return and erase-line), and erased by `clear`. The
 * caller decides when to show one: only when stderr is a terminal (CI logs and pipes stay clean).
 *
 * @example
 * const progress = createValidationProgress(process.stderr, Date.now)
 * await validateParallel(files, { onProgress: progress.update })
 * progress.clear()
 */
export function createValidationProgress(stream: Writable, now: () => number): ValidationProgress {
  let drawnAt: number | undefined
  return {
    update(checked, total) {
      const at = now()
      if (drawnAt !== undefined && at - drawnAt < REDRAW_MS && checked < total) return
      drawnAt = at
      stream.write(`\r\u001b[Kvalidating ${checked}/${total} files (${Math.floor((checked / Math.max(total, 1)) * 100)}%)`)
    },
    clear() {
      if (drawnAt !== undefined) stream.write('\r\u001b[K')
      drawnAt = undefined
    },
  }
}
