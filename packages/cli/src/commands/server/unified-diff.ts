type Op = { readonly op: ' ' | '-' | '+'; readonly text: string }

// Above this many cells the LCS table would cost too much: the changed middle is shown replaced whole.
const MAX_CELLS = 4_000_000

/**
 * Renders the difference of two texts as a unified diff (`diff -u`): `---`/`+++` headers with the
 * labels, then hunks with `context` unchanged lines around each change. Returns `''` when the
 * texts are equal. Line-based (longest common subsequence after trimming the common prefix and
 * suffix); deterministic.
 *
 * @example
 * unifiedDiff('a: 1\n', 'a: 2\n', { from: 'live/plan/default/p.yaml', to: 'desired/plan/default/p.yaml' })
 * // --- live/plan/default/p.yaml\n+++ desired/plan/default/p.yaml\n@@ -1 +1 @@\n-a: 1\n+a: 2\n
 */
export function unifiedDiff(oldText: string, newText: string, labels: { readonly from: string; readonly to: string }, context = 3): string {
  if (oldText === newText) return ''
  const ops = diffLines(lines(oldText), lines(newText))
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`]
  for (const [start, stop] of hunks(ops, context)) {
    const before = ops.slice(0, start)
    const inside = ops.slice(start, stop)
    const oldBefore = before.filter((o) => o.op !== '+').length
    const newBefore = before.filter((o) => o.op !== '-').length
    const oldCount = inside.filter((o) => o.op !== '+').length
    const newCount = inside.filter((o) => o.op !== '-').length
    out.push(`@@ -${range(oldBefore, oldCount)} +${range(newBefore, newCount)} @@`)
    for (const o of inside) out.push(`${o.op}${o.text}`)
  }
  return out.join('\n') + '\n'
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n')
}

function range(before: number, count: number): string {
  const start = count === 0 ? before : before + 1
  return count === 1 ? `${start}` : `${start},${count}`
}

/** The edit script from `a` to `b`: common prefix and suffix kept, the middle by LCS. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let prefix = 0
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++
  let suffix = 0
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++
  const x = a.slice(prefix, a.length - suffix)
  const y = b.slice(prefix, b.length - suffix)
  const middle: Op[] = []
  if ((x.length + 1) * (y.length + 1) > MAX_CELLS) {
    middle.push(...x.map((text) => ({ op: '-' as const, text })), ...y.map((text) => ({ op: '+' as const, text })))
  } else {
    // lcs[i][j]: length of the LCS of x[i..] and y[j..].
    const width = y.length + 1
    const lcs = new Uint32Array((x.length + 1) * width)
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) lcs[i * width + j] = x[i] === y[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!)
    }
    let i = 0
    let j = 0
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        middle.push({ op: ' ', text: x[i++]! })
        j++
      } else if (i < x.length && (j === y.length || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) middle.push({ op: '-', text: x[i++]! })
      else middle.push({ op: '+', text: y[j++]! })
    }
  }
  return [...a.slice(0, prefix).map((text) => ({ op: ' ' as const, text })), ...middle, ...a.slice(a.length - suffix).map((text) => ({ op: ' ' as const, text }))]
}

/** Groups changes into hunks [start, stop) with `context` lines around; close changes share a hunk. */
function hunks(ops: readonly Op[], context: number): [number, number][] {
  const result: [number, number][] = []
  let i = 0
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.op === ' ') i++
    if (i >= ops.length) break
    const start = Math.max(0, i - context)
    let end = i + 1
    let j = i + 1
    while (j < ops.length) {
      if (ops[j]!.op !== ' ') {
        end = ++j
        continue
      }
      let k = j
      while (k < ops.length && ops[k]!.op === ' ') k++
      if (k < ops.length && k - j <= 2 * context) j = k
      else break
    }
    const stop = Math.min(ops.length, end + context)
    result.push([start, stop])
    i = stop
  }
  return result
}
