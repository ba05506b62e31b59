/**
 * Compiles a path glob to a regular expression: `**` matches any number of directories, `*`
 * anything but `/`, `?` one character but `/`; everything else is literal. Patterns without a
 * `/` match at any depth (like `.gitignore`), so `*.yaml` finds `plans/a.yaml`.
 */
export function globPattern(glob: string): RegExp {
  const anchored = glob.includes('/') ? glob.replace(/^\.\//, '') : `**/${glob}`
  let source = ''
  for (let i = 0; i < anchored.length; i += 1) {
    const char = anchored[i] as string
    if (char === '*' && anchored[i + 1] === '*') {
      const slash = anchored[i + 2] === '/'
      source += slash ? '(?:[^/]*/)*' : '.*'
      i += slash ? 2 : 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/** Tells whether `path` matches one of `include` and none of `exclude`. */
export function matchesGlobs(path: string, include: readonly RegExp[], exclude: readonly RegExp[]): boolean {
  return include.some((re) => re.test(path)) && !exclude.some((re) => re.test(path))
}
