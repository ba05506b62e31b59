/**
 * Computes the WCAG 2 contrast ratio of two CSS colours (`#rgb`, `#rrggbb`, `rgb(r, g, b)` or
 * `rgba(…)`, whose alpha is ignored): 1 for equal colours, 21 for black on white.
 */
export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [luminance(parse(a)), luminance(parse(b))]
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
}

function parse(colour: string): [number, number, number] {
  const text = colour.trim().toLowerCase()
  const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/.exec(text)
  if (rgb !== null) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])]
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(text)
  if (hex === null) throw new Error(`not a colour: ${colour}`)
  const digits = (hex[1] as string).length === 3 ? [...(hex[1] as string)].map((d) => d + d).join('') : (hex[1] as string)
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16)) as [number, number, number]
}

function luminance([r, g, b]: [number, number, number]): number {
  const channel = (v: number): number => {
    const c = v / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}
