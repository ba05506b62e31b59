export { renderText } from './diagnostics/render-text.js'
export { renderJson } from './diagnostics/render-json.js'
export { renderGithub } from './diagnostics/render-github.js'
export { annotationOverflow, annotationRange, ANNOTATIONS_PER_SEVERITY, rankForAnnotations } from './diagnostics/rank-annotations.js'
export type { AnnotationRange } from './diagnostics/rank-annotations.js'
export { renderSarif, SARIF_SRCROOT } from './diagnostics/render-sarif.js'
export { githubAnchor, PLANSPEC_HOME, sarifRuleDocs } from './diagnostics/sarif-rule-docs.js'
export type { CodeCatalogEntry } from './diagnostics/sarif-rule-docs.js'
export { renderJunit } from './diagnostics/render-junit.js'
export { renderGraphMermaid } from './graph/render-graph-mermaid.js'
export { renderGraphDot } from './graph/render-graph-dot.js'
export { renderGraphText } from './graph/render-graph-text.js'
export { renderGraphJson } from './graph/render-graph-json.js'
export { NODE_PALETTE, PHASE_STYLES, shapeOfKind } from './graph/graph-palette.js'
export type { NodeStyle, PaletteShape, PhaseStyle } from './graph/graph-palette.js'
export { renderSimulationGantt } from './simulation/render-simulation-gantt.js'
export type { GanttRenderOptions } from './simulation/render-simulation-gantt.js'
export type {
  GithubRenderOptions,
  GraphRenderOptions,
  JunitRenderOptions,
  JunitResource,
  SarifRenderOptions,
  SarifRuleDoc,
  TextRenderOptions,
  ValidationSummary,
} from './types.js'
export { escapeMarkdown, codeSpan } from './markdown/escape-markdown.js'
export { stickyMarker, hasStickyMarker } from './markdown/sticky-marker.js'
export { renderValidationMarkdown } from './markdown/render-validation-markdown.js'
export { REVIEW_TRUNCATION_ORDER, renderReviewMarkdown } from './markdown/render-review-markdown.js'
export { renderProgressMarkdown } from './markdown/render-progress-markdown.js'
export type {
  ExecutionSimulation,
  MarkdownOptions,
  ProgressGate,
  ProgressMarkdownInput,
  ReviewMarkdownInput,
  RevisionLike,
  SimulatedGateLike,
  SimulatedNodeLike,
  SimulationProblemLike,
  SimulationReportLike,
} from './markdown/markdown-types.js'
export { formatAge, renderResourceTable } from './resources/render-resource-table.js'
export type { ListedResource, ResourceTableOptions } from './resources/render-resource-table.js'
