import { describe, expect, it } from 'vitest'
import { assignMermaidIds } from '../../src/internal/assign-mermaid-ids.js'

describe('assignMermaidIds', () => {
  it('prefixes every keyword, whatever its case, and ids that do not start with a letter', () => {
    const keywords = ['end', 'graph', 'flowchart', 'subgraph', 'click', 'call', 'href', 'callback', 'style', 'class', 'classDef', 'linkStyle', 'direction', 'default', 'interpolate', 'accTitle', 'accDescr', 'TB', 'td', 'BT', 'rl', 'LR', 'END']
    const ids = assignMermaidIds([...keywords, '9lives', '-x', '', 'ok_1'])
    expect([...ids.values()]).toEqual([...keywords.map((k) => `n_${k}`), 'n_9lives', 'n__x', 'n_', 'ok_1'])
  })

  it('stays one-to-one when different ids sanitise to the same text', () => {
    const ids = assignMermaidIds(['a-b', 'a_b', 'a.b', 'a_b_2', '日本', '__'])
    expect([...ids.entries()]).toEqual([
      ['a-b', 'a_b'],
      ['a_b', 'a_b_2'],
      ['a.b', 'a_b_3'],
      ['a_b_2', 'a_b_2_2'],
      ['日本', 'n___'],
      ['__', 'n____2'],
    ])
  })
})
