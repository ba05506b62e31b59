import { MCP_ERRORS, ToolError } from './tool-error.js'

/** The bounds every tool call is held to (issue 19: inputs bounded in size, depth and time). */
export interface McpLimits {
  /** Largest JSON of a tool's arguments (default 1 MiB). */
  readonly maxArgumentBytes: number
  /** Deepest nesting of a tool's arguments (default 64, THREATS T7). */
  readonly maxDepth: number
  /** Longest a tool may run before it answers `PLANSPEC_ERR_MCP_TIMEOUT` (default 2 minutes). */
  readonly toolTimeoutMs: number
  /** Most items a list answers with (default 500). */
  readonly maxItems: number
}

/** The default {@link McpLimits}. */
export const DEFAULT_MCP_LIMITS: McpLimits = { maxArgumentBytes: 1024 * 1024, maxDepth: 64, toolTimeoutMs: 120_000, maxItems: 500 }

/**
 * Checks a tool's arguments before any work: at most `maxArgumentBytes` of JSON and nested at most
 * `maxDepth` deep (counted without recursion, so a hostile depth cannot overflow the stack).
 * Throws {@link ToolError} (`PLANSPEC_ERR_MCP_INVALID_INPUT`, reason `TooLarge` or `TooDeep`).
 *
 * @example
 * checkArguments(request.params.arguments, DEFAULT_MCP_LIMITS)
 */
export function checkArguments(args: unknown, limits: McpLimits): void {
  const size = Buffer.byteLength(JSON.stringify(args ?? {}), 'utf8')
  if (size > limits.maxArgumentBytes) throw new ToolError(MCP_ERRORS.invalidInput, 'TooLarge', `the arguments are ${size} bytes; at most ${limits.maxArgumentBytes} are accepted`)
  const stack: { value: unknown; depth: number }[] = [{ value: args, depth: 0 }]
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!
    if (value === null || typeof value !== 'object') continue
    if (depth >= limits.maxDepth) throw new ToolError(MCP_ERRORS.invalidInput, 'TooDeep', `the arguments nest deeper than ${limits.maxDepth} levels`)
    for (const child of Object.values(value as Record<string, unknown>)) stack.push({ value: child, depth: depth + 1 })
  }
}

/**
 * Runs `work` with a time bound: rejects with {@link ToolError} (`PLANSPEC_ERR_MCP_TIMEOUT`) after
 * `ms`, and aborts the signal it hands to `work` so effects stop too.
 *
 * @example
 * await withTimeout(120_000, (signal) => tool.handler(args, { signal }))
 */
export async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const controller = new AbortController()
  const onAbort = (): void => controller.abort()
  outer?.addEventListener('abort', onAbort, { once: true })
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new ToolError(MCP_ERRORS.timeout, 'Timeout', `the tool did not finish within ${Math.round(ms / 1000)}s`))
    }, ms)
  })
  try {
    return await Promise.race([work(controller.signal), timeout])
  } finally {
    clearTimeout(timer)
    outer?.removeEventListener('abort', onAbort)
  }
}
