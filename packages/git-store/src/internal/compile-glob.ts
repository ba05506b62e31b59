const SPECIAL = /[.+^$()|\\]/

function segmentSource(segment: string): string {
  let out = segment.startsWith('.') ? '' : '(?!\\.)'
  let braces = 0
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!
    if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else if (c === '{') {
      braces++
      out += '(?:'
    } else if (c === '}' && braces > 0) {
      braces--
      out += ')'
    } else if (c === ',' && braces > 0) out += '|'
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2)
      if (end < 0) {
        out += '\\['
        continue
      }
      const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')
      out += `[${body}]`
      i = end
    } else out += SPECIAL.test(c) ? `\\${c}` : c
  }
  return out + ')'.repeat(braces)
}

/**
 * Compiles a glob of `.planspec.yaml` `paths`/`exclude` into a matcher of `/`-separated paths,
 * with the usual semantics (as the CLI's picomatch): `*` and `?` stay within one segment, `**`
 * spans any number of segments, `{a,b}` alternates, `[...]` is a class; wildcards do not match a
 * leading dot. A trailing `/` means everything below.
 *
 * @example
 * compileGlob('plans/**\/*.yaml')('plans/a/b.yaml') // true
 */
export function compileGlob(glob: string): (path: string) => boolean {
  let pattern = glob.trim().replace(/^\.\//, '')
  if (pattern.endsWith('/')) pattern += '**'
  const segments = pattern.split('/').filter((s, i, all) => s !== '' || i === all.length - 1)
  let source = '^'
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1
    if (segment === '**') source += last ? '(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?' : '(?:(?!\\.)[^/]+/)*'
    else source += segmentSource(segment) + (last ? '' : '/')
  })
  const regex = new RegExp(`${source}$`)
  return (path) => regex.test(path)
}
