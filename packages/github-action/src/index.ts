export { ACTION_RETRY_POLICY, runAction } from './run-action.js'
export type { ActionContext, ActionCore, ActionDeps, ActionDirent, ActionFs, ActionResult, ActionSummary, AnnotationProperties } from './action-types.js'
export { ACTION_VERSION } from './version.js'
