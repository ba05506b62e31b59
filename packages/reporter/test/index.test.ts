import { describe, expect, it } from 'vitest'
import * as reporter from '../src/index.js'

describe('@planspec/reporter', () => {
  it('exports the renderers, the Markdown helpers, the graph palette and nothing else at runtime', () => {
    expect(Object.keys(reporter).sort()).toEqual([
      'NODE_PALETTE',
      'PHASE_STYLES',
      'REVIEW_TRUNCATION_ORDER',
      'codeSpan',
      'escapeMarkdown',
      'formatAge',
      'hasStickyMarker',
      'renderGithub',
      'renderGraphDot',
      'renderGraphJson',
      'renderGraphMermaid',
      'renderGraphText',
      'renderJson',
      'renderJunit',
      'renderProgressMarkdown',
      'renderResourceTable',
      'renderReviewMarkdown',
      'renderSarif',
      'renderText',
      'renderValidationMarkdown',
      'shapeOfKind',
      'stickyMarker',
    ])
  })
})
