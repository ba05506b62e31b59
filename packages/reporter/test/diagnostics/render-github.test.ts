import { describe, expect, it } from 'vitest'
import { renderGithub } from '../../src/diagnostics/render-github.js'
import { allValid, diagnostic, oneErrorOneWarning, twoDiagnostics } from '../fixtures/diagnostics.js'

describe('renderGithub', () => {
  it('prints one workflow command per diagnostic: ::error for errors, ::warning for warnings', () => {
    expect(renderGithub(twoDiagnostics, oneErrorOneWarning)).toBe(
      [
        '::error file=plans/release.yaml,line=12,col=21,endLine=12,endColumn=26,title=PS3001::dependsOn names unknown node "shema"',
        '::warning file=plans/release.yaml,line=9,col=18,endLine=9,endColumn=20,title=PS2004::timeout has no unit; 45 is read as seconds',
        '',
      ].join('\n'),
    )
  })

  it('prints nothing when there are no diagnostics', () => {
    expect(renderGithub([], allValid)).toBe('')
  })

  it('escapes % CR and LF in the message so it cannot start another command', () => {
    const d = diagnostic({ message: '100% bad\r\n::error::forged\nnext' })
    expect(renderGithub([d], allValid)).toBe(
      '::error file=plans/release.yaml,line=1,col=1,endLine=1,endColumn=2,title=PS3001::100%25 bad%0D%0A::error::forged%0Anext\n',
    )
  })

  it('also escapes : and , in properties, and writes the file with forward slashes', () => {
    const d = diagnostic({ file: '.\\plans\\a,b:c%.yaml', code: 'PS:1,2\n' })
    expect(renderGithub([d], allValid)).toBe(
      '::error file=plans/a%2Cb%3Ac%25.yaml,line=1,col=1,endLine=1,endColumn=2,title=PS%3A1%2C2%0A::something is wrong\n',
    )
  })

  it('passes unicode and markup through untouched; the runner shows annotations as text', () => {
    const d = diagnostic({ severity: 'warning', message: '日本 🚀 <script>alert(1)</script> @everyone' })
    expect(renderGithub([d], allValid)).toBe(
      '::warning file=plans/release.yaml,line=1,col=1,endLine=1,endColumn=2,title=PS3001::日本 🚀 <script>alert(1)</script> @everyone\n',
    )
  })
})
