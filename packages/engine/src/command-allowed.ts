import { globToRegExp } from './internal/glob.js'

/**
 * Tells whether an executable (`argv[0]`) is on the allow-list: an entry matches exactly, or
 * with `*` standing for any run of characters other than `/`. A value holding a NUL byte never
 * matches. Pure.
 *
 * @example
 * ```ts
 * isCommandAllowed('/usr/bin/node', ['/usr/bin/*']) // true
 * isCommandAllowed('/usr/bin/x/node', ['/usr/bin/*']) // false
 * ```
 */
export function isCommandAllowed(executable: string, allowCommands: readonly string[]): boolean {
  if (executable.length === 0 || executable.includes('\0')) return false
  return allowCommands.some((pattern) => globToRegExp(pattern, '[^/]').test(executable))
}
