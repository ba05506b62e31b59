import { describe, expect, it } from 'vitest'
import { renderValidationMarkdown } from '../../src/markdown/render-validation-markdown.js'
import { diagnostic } from '../fixtures/diagnostics.js'
import { expectSafeMarkdown } from './check-markdown.js'

const findings = [
  diagnostic({ code: 'PS4001', severity: 'warning', message: 'goalRef names "weekly", which is not in the files', file: 'plans/b.yaml', line: 3, kind: 'Plan', name: 'b' }),
  diagnostic({ code: 'PS3001', message: 'dependsOn names unknown node "shema"', file: './plans/a.yaml', line: 12, kind: 'Plan', name: 'a' }),
  diagnostic({ code: 'PS2002', message: 'missing required field "kind"', file: 'plans/a.yaml', line: 2 }),
  diagnostic({ code: 'PS9999', severity: 'info' as never, message: 'an unknown severity sorts last', file: 'z.yaml', line: 1, kind: 'Goal' }),
]

describe('renderValidationMarkdown', () => {
  it('ranks findings errors first, then warnings, then by file and line, with links to the lines', async () => {
    const body = renderValidationMarkdown(findings, { files: 3, resources: 4, errors: 2, warnings: 1 }, { marker: 'validate', fileLinkBase: 'https://github.com/acme/plans/blob/0123456' })
    await expect(body).toMatchFileSnapshot('__snapshots__/validation.md')
    expectSafeMarkdown(body)
  })

  it('shows locations as code spans without a link base, or when a path cannot be linked', () => {
    const body = renderValidationMarkdown([diagnostic({ file: '/abs/plan.yaml', line: 4 })], { files: 1, resources: 1, errors: 1, warnings: 0 }, { fileLinkBase: 'https://x/' })
    expect(body).toContain('| ✖ error | `PS3001` | `/abs/plan.yaml:4` |  | something is wrong |')
    expect(renderValidationMarkdown([diagnostic()], { files: 1, resources: 1, errors: 1, warnings: 0 })).toContain('`plans/release.yaml:1`')
  })

  it('says everything is valid when there are no findings, and has no table', () => {
    expect(renderValidationMarkdown([], { files: 4, resources: 12, errors: 0, warnings: 0 })).toBe('## PlanSpec validation\n\n✔ 12 resources in 4 files are valid\n')
    expect(renderValidationMarkdown([], { files: 1, resources: 1, errors: 0, warnings: 0 })).toContain('✔ 1 resource in 1 file is valid')
    expect(renderValidationMarkdown([diagnostic({ severity: 'warning' })], { files: 1, resources: 1, errors: 0, warnings: 1 })).toContain('⚠ 0 errors, 1 warning in 1 file (1 resource)')
  })

  it('escapes hostile messages, file names and resource names', () => {
    const evil = '@here <script>alert(1)</script> | `x` #7'
    const body = renderValidationMarkdown([diagnostic({ message: evil, file: `plans/${evil}.yaml`, kind: evil, name: evil })], { files: 1, resources: 1, errors: 1, warnings: 0 }, { fileLinkBase: 'https://x/' })
    expectSafeMarkdown(body)
    expect(body).toContain('@&#8203;here &lt;script&gt;alert(1)&lt;/script&gt; \\| \\`x\\` #&#8203;7')
    expect(body).toContain('(https://x/plans/%40here%20%3Cscript%3Ealert%281%29%3C/script%3E%20%7C%20%60x%60%20%237.yaml#L1)')
  })

  it('keeps 5,000 findings within the comment limit, errors first, and says how many were left out', () => {
    const many = Array.from({ length: 5000 }, (_, i) => diagnostic({ severity: i % 2 === 0 ? 'warning' : 'error', file: `plans/p${i}.yaml`, line: i + 1, message: `finding ${i} `.repeat(10) }))
    const body = renderValidationMarkdown(many, { files: 5000, resources: 5000, errors: 2500, warnings: 2500 }, { detailsUrl: 'https://github.com/o/r/actions/runs/7' })
    expectSafeMarkdown(body)
    expect(body.length).toBeGreaterThan(60_000)
    const rows = body.split('\n').filter((l) => l.startsWith('| ✖') || l.startsWith('| ⚠'))
    expect(rows.every((l) => l.startsWith('| ✖'))).toBe(true)
    expect(body).toMatch(new RegExp(`_${5000 - rows.length} more findings not shown here\\._`))
    expect(body).toContain('[the job summary](https://github.com/o/r/actions/runs/7)')
    const bitbucket = renderValidationMarkdown(many, { files: 5000, resources: 5000, errors: 2500, warnings: 2500 }, { maxLength: 32_000 })
    expectSafeMarkdown(bitbucket, 32_000)
  })

  it('orders findings on one line by column, then by code', () => {
    const body = renderValidationMarkdown([diagnostic({ code: 'PS2', column: 9 }), diagnostic({ code: 'PS3', column: 2 }), diagnostic({ code: 'PS1', column: 2 })], { files: 1, resources: 1, errors: 3, warnings: 0 })
    expect(body.split('\n').filter((l) => l.startsWith('| ✖')).map((l) => l.split(' | ')[1])).toEqual(['`PS1`', '`PS3`', '`PS2`'])
  })
})
