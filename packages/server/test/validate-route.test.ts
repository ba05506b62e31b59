// POST .../validate gives exactly the validator's findings (THREATS T8: the same issues as the CLI).
import { createValidator } from '@planspec/validator'
import { describe, expect, it } from 'vitest'
import { API, body, setup } from './helpers.js'

// The validator run in-process: what the workers behind the route must answer exactly.
const validator = createValidator()

const head = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: g\n  namespace: team\nspec:\n  description: d\n'
const FIXTURES: Record<string, string> = {
  norway: `${head}  constraints:\n    country: NO\n    answer: yes\n`,
  octal: `${head}  constraints:\n    mode: 0755\n`,
  sexagesimal: `${head}  constraints:\n    at: 12:30\n`,
  'duplicate-top': `${head}spec:\n  description: again\n`,
  'duplicate-nested': `${head}  constraints:\n    a: 1\n    a: 2\n`,
  'yaml-1.1': `%YAML 1.1\n---\n${head}`,
  'js-function': `${head}  constraints:\n    f: !!js/function 'function () {}'\n`,
  binary: `${head}  constraints:\n    b: !!binary aGVsbG8=\n`,
  'merge-key': `${head}  constraints:\n    base: &b { x: 1 }\n    derived:\n      <<: *b\n`,
  'not-yaml': '{[}\n',
  'bad-name': head.replace('name: g', 'name: Bad_Name'),
}

describe('POST /validate', () => {
  it.each(Object.entries(FIXTURES))('reports %s exactly as the validator does', async (name, text) => {
    const { request } = setup()
    const files = [{ file: `${name}.yaml`, text }]
    const res = await request({ method: 'POST', url: `${API}/validate`, payload: { files } })
    expect(res.statusCode).toBe(200)
    const direct = validator.validate(files)
    expect(body(res)).toEqual({ apiVersion: 'planspec.io/v1alpha1', kind: 'ValidationResult', summary: direct.summary, diagnostics: JSON.parse(JSON.stringify(direct.diagnostics)) })
  })

  it('flags the hostile fixtures with classified codes', async () => {
    const { request } = setup()
    const files = Object.entries(FIXTURES).map(([name, text]) => ({ file: `${name}.yaml`, text }))
    const result = body(await request({ method: 'POST', url: `${API}/validate`, payload: { files } }))
    const byFile = (file: string) => result.diagnostics.filter((d: { file: string }) => d.file === file).map((d: { code: string }) => d.code)
    for (const file of ['duplicate-top', 'duplicate-nested', 'yaml-1.1', 'js-function', 'binary', 'merge-key', 'not-yaml', 'bad-name']) expect(byFile(`${file}.yaml`).length).toBeGreaterThan(0)
    expect(result.diagnostics.every((d: { code: string }) => /^PS\d{4}$/.test(d.code))).toBe(true)
  })

  it('validates one resource or a List sent as JSON, and passes options through', async () => {
    const { request } = setup()
    const res = await request({ method: 'POST', url: `${API}/validate`, payload: { apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name: 'x', namespace: 'team' }, spec: {} } })
    expect(body(res).diagnostics.map((d: { code: string; path: string }) => [d.code, d.path])).toEqual([['PS2005', '/spec']])
    const closed = await request({
      method: 'POST',
      url: `${API}/validate`,
      payload: { files: [{ file: 'p.yaml', text: 'apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata:\n  name: p\nspec:\n  description: p\n  goalRef:\n    name: missing\n  graph:\n    nodes:\n      - id: a\n        kind: Task\n' }], closed: true, defaultNamespace: 'team' },
    })
    expect(body(closed).summary.errors).toBeGreaterThan(0)
  })

  it('refuses an unknown option (400) and YAML posted raw (415)', async () => {
    const { request } = setup()
    expect((await request({ method: 'POST', url: `${API}/validate`, payload: { files: [{ file: 'a.yaml', text: 'x', extra: 1 }] } })).statusCode).toBe(400)
    expect((await request({ method: 'POST', url: `${API}/validate`, headers: { 'content-type': 'application/yaml' }, payload: head })).statusCode).toBe(415)
  })

  it('accepts bodies up to its own larger limit', async () => {
    const { request } = setup({ limits: { rateLimit: false, maxBodyBytes: 1024 } })
    const files = [{ file: 'big.yaml', text: `${head}  constraints:\n    pad: "${'x'.repeat(4096)}"\n` }]
    expect((await request({ method: 'POST', url: `${API}/validate`, payload: { files } })).statusCode).toBe(200)
    expect((await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: { files } })).statusCode).toBe(413)
  })
})
