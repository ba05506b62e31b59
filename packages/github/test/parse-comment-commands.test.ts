import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_COMMANDS_PER_COMMENT, parseCommentCommands } from '../src/index.js'

describe('parseCommentCommands', () => {
  it.each([
    ['/planspec approve prod-gate', { verb: 'approve', line: 1, gate: { name: 'prod-gate' } }],
    ['/planspec approve team-a/prod-gate  ship it, @all  ', { verb: 'approve', line: 1, gate: { namespace: 'team-a', name: 'prod-gate' }, comment: 'ship it, @all' }],
    ['/planspec reject prod-gate not before the freeze', { verb: 'reject', line: 1, gate: { name: 'prod-gate' }, comment: 'not before the freeze' }],
    ['/planspec retry release-1', { verb: 'retry', line: 1, execution: { name: 'release-1' } }],
    ['   /planspec cancel ops/release-1', { verb: 'cancel', line: 1, execution: { namespace: 'ops', name: 'release-1' } }],
    ['/PlanSpec APPROVE prod-gate', { verb: 'approve', line: 1, gate: { name: 'prod-gate' } }],
    ['/planspec done review-docs', { verb: 'done', line: 1, node: 'review-docs', outputs: {} }],
    [
      '/planspec done release-1/review-docs url=https://x.example/doc note="two words" empty=',
      { verb: 'done', line: 1, node: 'review-docs', execution: { name: 'release-1' }, outputs: { url: 'https://x.example/doc', note: 'two words', empty: '' } },
    ],
    ['/planspec done ops/release-1/qa ok=true', { verb: 'done', line: 1, node: 'qa', execution: { namespace: 'ops', name: 'release-1' }, outputs: { ok: 'true' } }],
  ])('reads %j', (body, command) => {
    const parsed = parseCommentCommands(body)
    expect(parsed.errors).toEqual([])
    expect(parsed.commands).toEqual([command])
  })

  it('reads one command per line, with line numbers, among prose', () => {
    const parsed = parseCommentCommands('Looks good.\r\n/planspec approve a\n\nAlso:\n/planspec retry b\n')
    expect(parsed.commands.map((c) => [c.verb, c.line])).toEqual([
      ['approve', 2],
      ['retry', 5],
    ])
  })

  it('ignores commands in quotes, fenced and indented code blocks and HTML comments', () => {
    const body = [
      '> /planspec approve quoted',
      '```',
      '/planspec approve fenced',
      '```',
      '~~~~yaml',
      '/planspec approve tilde',
      '~~~',
      '/planspec approve still-fenced',
      '~~~~',
      '    /planspec approve indented',
      '<!-- /planspec approve hidden',
      '/planspec approve hidden-too -->',
      'text /planspec approve inline',
      '/planspecs approve near-miss',
      '/approve not-ours',
      'approve',
      '/planspec approve real',
    ].join('\n')
    const parsed = parseCommentCommands(body)
    expect(parsed.commands).toEqual([{ verb: 'approve', line: 17, gate: { name: 'real' } }])
    expect(parsed.errors).toEqual([])
  })

  it.each([
    ['/planspec', 'a command is missing'],
    ['/planspec deploy prod', 'unknown command deploy'],
    ['/planspec approve', 'needs a Gate name'],
    ['/planspec approve Prod_Gate', 'is not a Gate name'],
    ['/planspec approve @admin', 'is not a Gate name'],
    ['/planspec approve a/b/c', 'is not a Gate name'],
    ['/planspec retry', 'needs an Execution name'],
    ['/planspec cancel run-1 now', 'takes only an Execution name'],
    ['/planspec done', 'needs a node id'],
    ['/planspec done a/b/c/d', 'is not a node id'],
    ['/planspec done qa notapair', 'expected key=value'],
    ['/planspec done qa __proto__=x', '__proto__ is not an output name'],
    ['/planspec done qa 1x=2', '1x is not an output name'],
    [`/planspec done qa k=${'v'.repeat(1025)}`, 'longer than 1024'],
    [`/planspec approve g ${'c'.repeat(1001)}`, 'longer than 1000'],
  ])('refuses %j', (body, reason) => {
    const parsed = parseCommentCommands(body)
    expect(parsed.commands).toEqual([])
    expect(parsed.errors).toEqual([{ line: 1, text: body.trim(), reason: expect.stringContaining(reason) }])
  })

  it(`reads at most ${MAX_COMMANDS_PER_COMMENT} commands from one comment`, () => {
    const parsed = parseCommentCommands(Array.from({ length: 12 }, (_, i) => `/planspec retry run-${i}`).join('\n'))
    expect(parsed.commands).toHaveLength(10)
    expect(parsed.errors.map((e) => e.line)).toEqual([11, 12])
  })

  it('keeps outputs free of prototype keys', () => {
    const [command] = parseCommentCommands('/planspec done qa constructor=1').errors
    expect(command?.reason).toContain('not an output name')
    const parsed = parseCommentCommands('/planspec done qa toString=1')
    const outputs = (parsed.commands[0] as { outputs: Record<string, string> }).outputs
    expect(Object.getPrototypeOf(outputs)).toBeNull()
    expect(outputs['toString']).toBe('1')
  })

  it('never throws and finds commands only on lines that start with /planspec outside code and quotes (property)', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('```', '~~~', '> /planspec approve x', '    /planspec retry y', '<!--', '-->', '/planspec approve g', '/planspec done n k="v w"'),
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const body = lines.join('\n')
        const parsed = parseCommentCommands(body)
        for (const found of [...parsed.commands, ...parsed.errors]) {
          const text = body.split(/\r\n|\r|\n/)[found.line - 1] ?? ''
          expect(text).toMatch(/^ {0,3}\/planspec/i)
        }
        expect(parsed.commands.length + parsed.errors.length).toBeLessThanOrEqual(MAX_COMMANDS_PER_COMMENT + lines.length)
      }),
      { numRuns: 500, seed: Number(process.env['FC_SEED'] ?? 20261125), verbose: true },
    )
  })
})
