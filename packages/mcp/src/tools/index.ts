import type { ToolDefinition } from '../types.js'
import { explainTool, simulate, validate } from './manifest-tools.js'
import { proposePlan, requestApproval, reviewGate } from './plan-tools.js'
import { describe, get, whoami, whyBlockedTool } from './resource-tools.js'
import { claimWork, completeWork, failWork, listWork } from './work-tools.js'

/** Every tool of the server, in the order they are listed. */
export const TOOLS: readonly ToolDefinition[] = [whoami, listWork, claimWork, completeWork, failWork, validate, explainTool, simulate, get, describe, whyBlockedTool, proposePlan, requestApproval, reviewGate]
