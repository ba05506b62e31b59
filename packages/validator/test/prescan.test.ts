import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scanDepth } from '../src/index.js'
import { mutated, tokenSoup, writtenYaml } from './fast-path-arbitraries.js'
import { BAD_INPUT_CORPUS } from './fixtures/bad-input-corpus.js'
import { scanDepthReference } from './fixtures/scan-depth-reference.js'
import { PLAN } from './helpers.js'

const SEED = Number(process.env['FC_SEED'] ?? 15_2026)
const RUNS = Number(process.env['FC_RUNS'] ?? 300)
console.log(`scanDepth: fast-check seed ${SEED}, ${RUNS} runs per property`)

const texts = [...BAD_INPUT_CORPUS.map((f) => f.text).filter((t): t is string => t !== undefined), PLAN]

describe('scanDepth', () => {
  it('finds what the line-slicing reference finds, on the bad-input corpus and at every limit', () => {
    for (const text of texts) for (const max of [0, 1, 2, 3, 5, 64, 10_000]) expect(scanDepth(text, max), JSON.stringify(text.slice(0, 80))).toEqual(scanDepthReference(text, max))
  })

  it.each([
    ['flow', 'a: [[[1]]]\n', 4],
    ['block with CRLF', 'a:\r\n  b:\r\n    c: 1\r\n', 3],
    ['compact sequences', '- - - x\n', 4],
    ['a block scalar, whose content is text', 'a: |\n  [[[[\n  - - -\nb: 1\n', 1],
    ['a header in a comment, read as one (conservative)', 'a: 1 #c: |\n  b:\n    c: 1\n', 1],
    ['quotes and comments', 'a: "[[[" # [[[\nb: \'{{\'\n', 1],
  ])('counts %s', (_name, text, depth) => {
    expect(scanDepth(text, 64)).toEqual({ depth })
    expect(scanDepth(text, 64)).toEqual(scanDepthReference(text, 64))
  })

  it('agrees with the reference on lines built around brackets (the lines it does not read character by character)', () => {
    // An indentation, what comes before a bracket (a key, a dash, a quoted scalar, a word, a
    // template), then brackets, words, quotes and comments: every way a line may or may not open a
    // flow collection, on one line or across lines.
    const before = fc.constantFrom('', 'key: ', 'key:  ', 'key:', '- ', '- - ', '-  ', '-', '"q": ', '"q"', "'q' ", 'x - ', 'a: b - ', 'w ', 'w', '${{ ', '#c ', ' # c ', '"', "'", ': ', '\t', 'é ')
    const rest = fc.array(fc.constantFrom('[', '{', ']', '}', ']]', 'a', 'b1', ', ', ',', ': ', ':', ' ', '  ', '"', "'", '#', ' #c', '\t', '${{ x }}', '- ', 'é', '\r'), { maxLength: 10 })
    const line = fc.tuple(fc.nat({ max: 6 }), before, rest, fc.constantFrom('\n', '\r\n', '')).map(([indent, head, tail, end]) => ' '.repeat(indent) + head + tail.join('') + end)
    const text = fc.array(line, { maxLength: 12 }).map((lines) => lines.join(''))
    fc.assert(
      fc.property(text, fc.constantFrom(1, 2, 3, 4, 64), (yaml, max) => {
        expect(scanDepth(yaml, max)).toEqual(scanDepthReference(yaml, max))
      }),
      { seed: SEED, numRuns: RUNS * 10 },
    )
  })

  it('agrees with the reference on generated YAML, token soups and mutations, at small limits', () => {
    const limits = fc.constantFrom(1, 2, 3, 4, 6, 64)
    for (const arbitrary of [writtenYaml, tokenSoup, mutated([PLAN, ...texts.filter((t) => t.length < 20_000)])]) {
      fc.assert(
        fc.property(arbitrary, limits, (text, max) => {
          expect(scanDepth(text, max)).toEqual(scanDepthReference(text, max))
        }),
        { seed: SEED, numRuns: RUNS },
      )
    }
  })
})
