// C0 controls (but tab and newline), DEL and C1 controls: what makes a terminal move the cursor,
// change colours or rewrite its title when printed (a command's stderr can carry them).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/**
 * Returns text safe to print on a terminal: every control character but tab and newline becomes
 * `?`, so text from manifests, servers or commands cannot inject escape sequences. Pure.
 *
 * @example
 * sanitizeTerminalText('ok\u001b[2Jgone') // 'ok?[2Jgone'
 */
export function sanitizeTerminalText(value: unknown): string {
  return String(value ?? '').replace(CONTROL, '?')
}
