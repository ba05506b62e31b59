// Controls and line/paragraph separators: anything that would break a one-line label.
const BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/** Replaces each run of control characters and line breaks with one space, so text fits on one line. */
export function flattenText(text: string): string {
  return text.replace(BREAKING, ' ')
}
