import { describe, expect, it } from 'vitest'
import * as reporter from '../src/index.js'

describe('@planspec/reporter', () => {
  it('exports the renderers, the Markdown helpers, the graph palette and nothing else at runtime', () => {
    expect(Object.keys(reporter).sort()).toEqual([
      'ANNOTATIONS_PER_SEVERITY',
      'NODE_PALETTE',
      'PHASE_STYLES',
      'PLANSPEC_HOME',
      'REVIEW_TRUNCATION_ORDER',
      'SARIF_SRCROOT',
      'annotationOverflow',
      'annotationRange',
      'codeSpan',
      'escapeMarkdown',
      'formatAge',
      'githubAnchor',
      'hasStickyMarker',
      'rankForAnnotations',
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
      'renderSimulationGantt',
      'renderText',
      'renderValidationMarkdown',
      'sarifRuleDocs',
      'shapeOfKind',
      'stickyMarker',
    ])
  })
})
