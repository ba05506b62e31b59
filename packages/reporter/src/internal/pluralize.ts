/** Formats a count with its noun, e.g. `1 error`, `3 errors`, `0 files`. */
export function pluralize(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`
}
