import { describe, expect, it } from 'vitest'
import { codeSpan, escapeMarkdown } from '../../src/markdown/escape-markdown.js'

const ZWSP = '&#8203;'

describe('escapeMarkdown', () => {
  it('breaks user and team mentions, issue references and autolinks with a zero-width space', () => {
    expect(escapeMarkdown('@admin and @org/team')).toBe(`@${ZWSP}admin and @${ZWSP}org/team`)
    expect(escapeMarkdown('fixes #12 and owner/repo#3')).toBe(`fixes #${ZWSP}12 and owner/repo#${ZWSP}3`)
    expect(escapeMarkdown('see https://evil.example/x or WWW.evil.example')).toBe(`see https:${ZWSP}//evil.example/x or WWW${ZWSP}.evil.example`)
    expect(escapeMarkdown('mail root@example.com')).toBe(`mail root@${ZWSP}example.com`)
    expect(escapeMarkdown('see GH-3, gh-12 and GH-x')).toBe(`see GH${ZWSP}-3, gh${ZWSP}-12 and GH-x`)
    expect(escapeMarkdown('commit a5c3785ed8d6a35868bc169f07e40e889087fd2e or 1a2b3c4 but not deadbeefcafe')).toBe(`commit a5c378${ZWSP}5ed8d6a35868bc169f07e40e889087fd2e or 1a2b3c${ZWSP}4 but not deadbeefcafe`)
  })

  it('turns HTML into text: tags, comments and entities are escaped', () => {
    expect(escapeMarkdown('<img src=x onerror=alert(1)> <!-- x --> &amp;')).toBe('&lt;img src=x onerror=alert(1)&gt; &lt;\\!-- x --&gt; &amp;amp;')
    expect(escapeMarkdown('</details><details open>')).toBe('&lt;/details&gt;&lt;details open&gt;')
  })

  it('escapes emphasis, code, links, images, table pipes, strikethrough and math', () => {
    expect(escapeMarkdown('*b* _i_ `c` [l](u) ![i](u) a|b ~~s~~ $x$ \\')).toBe('\\*b\\* \\_i\\_ \\`c\\` \\[l\\](u) \\!\\[i\\](u) a\\|b \\~\\~s\\~\\~ \\$x\\$ \\\\')
  })

  it('puts text on one line, replaces bidi overrides and keeps an escaped entity literal', () => {
    expect(escapeMarkdown('a\nb\r\n\u2028c\u0007d')).toBe('a b c d')
    expect(escapeMarkdown('user\u202eevil')).toBe('user\ufffdevil')
    expect(escapeMarkdown('&#8203;')).toBe(`&amp;#${ZWSP}8203;`)
  })

  it('cuts long text before escaping, never inside a surrogate pair', () => {
    expect(escapeMarkdown('abcdef', 4)).toBe('abc…')
    expect(escapeMarkdown('abc', 3)).toBe('abc')
    expect(escapeMarkdown('ab😀cd', 4)).toBe('ab…')
    expect(escapeMarkdown('<<<<', 2)).toBe('&lt;…')
    expect(escapeMarkdown('abc', 1)).toBe('…')
    expect(escapeMarkdown('abc', 0)).toBe('…')
  })
})

describe('codeSpan', () => {
  it('wraps text in a fence longer than any backtick run inside, padding a leading or trailing backtick', () => {
    expect(codeSpan('node-a')).toBe('`node-a`')
    expect(codeSpan('a`b')).toBe('``a`b``')
    expect(codeSpan('``x``')).toBe('``` ``x`` ```')
    expect(codeSpan('x`')).toBe('`` x` ``')
    expect(codeSpan('')).toBe('` `')
  })

  it('escapes pipes only inside tables, and flattens line breaks', () => {
    expect(codeSpan('a|b')).toBe('`a|b`')
    expect(codeSpan('a|b', { table: true })).toBe('`a\\|b`')
    expect(codeSpan('a\nb')).toBe('`a b`')
    expect(codeSpan('abcdef', { max: 3 })).toBe('`ab…`')
  })
})
