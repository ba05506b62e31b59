export { renderText } from './diagnostics/render-text.js'
export { renderJson } from './diagnostics/render-json.js'
export { renderGithub } from './diagnostics/render-github.js'
export { renderSarif } from './diagnostics/render-sarif.js'
export { renderJunit } from './diagnostics/render-junit.js'
export { renderGraphMermaid } from './graph/render-graph-mermaid.js'
export { renderGraphDot } from './graph/render-graph-dot.js'
export { renderGraphText } from './graph/render-graph-text.js'
export { renderGraphJson } from './graph/render-graph-json.js'
export type {
  GraphRenderOptions,
  JunitRenderOptions,
  JunitResource,
  SarifRenderOptions,
  SarifRuleDoc,
  TextRenderOptions,
  ValidationSummary,
} from './types.js'
