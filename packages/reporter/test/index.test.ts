import { describe, expect, it } from 'vitest'
import * as reporter from '../src/index.js'

describe('@planspec/reporter', () => {
  it('exports the nine renderers and nothing else at runtime', () => {
    expect(Object.keys(reporter).sort()).toEqual([
      'renderGithub',
      'renderGraphDot',
      'renderGraphJson',
      'renderGraphMermaid',
      'renderGraphText',
      'renderJson',
      'renderJunit',
      'renderSarif',
      'renderText',
    ])
  })
})
