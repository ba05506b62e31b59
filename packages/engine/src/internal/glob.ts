/**
 * Compiles a pattern in which `*` stands for any run of characters matched by `star`
 * (a character class source such as `[^/]`), and every other character stands for itself.
 */
export function globToRegExp(pattern: string, star: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join(`${star}*`)
  return new RegExp(`^${body}$`, 's')
}
