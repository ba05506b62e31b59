import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { isCommandAllowed } from './command-allowed.js'
import { commandEnv } from './internal/command-env.js'
import { clip, isPlainObject, keepDeclared, parseJsonObject } from './internal/outputs.js'
import { maskText } from './internal/mask-text.js'
import { schemesOf, type Redactor } from '@planspec/core'
import type { DispatchRequest, DispatchResult, McpServerConfig, Policy, Provider } from './types.js'

/** Default budget of an MCP tool call (connect included): 5 minutes. */
export const DEFAULT_MCP_TIMEOUT_MS = 5 * 60 * 1000

/** Policy and configuration of the MCP provider. */
export interface McpProviderDeps {
  policy: Policy
  /** Servers by name; `config.servers` of a Binding target may add or override entries. */
  servers?: Readonly<Record<string, McpServerConfig>>
  env?: Readonly<Record<string, string | undefined>>
  secrets?: readonly string[]
  redactor?: Redactor
}

/**
 * Creates the `mcp://SERVER/TOOL` provider. Each dispatch starts SERVER (from `config.servers`,
 * else `deps.servers`) over stdio with the official SDK (`Client` + `StdioClientTransport`, no
 * shell, cwd = workspace, env = the SDK's defaults (`LOGNAME`, `SHELL`, `TERM`, `USER`) under the
 * explicit environment of `commandEnv`: `PATH`, `LANG`, `HOME` = the workspace and the Binding's
 * `config.env`), calls TOOL with the inputs as arguments, and closes the server.
 * `server.command[0]` must pass `policy.allowCommands` (`NotAllowed`; nothing is started).
 *
 * The tool's `structuredContent`, else the JSON object in its first text content, is the
 * outputs (undeclared keys dropped); anything else is `InvalidOutput`, and outputs whose JSON is
 * over `policy.maxOutputBytes` are `OutputTooLarge`. `isError` is `RemoteFailed` with the first
 * text content, redacted and clipped. Unknown server: `InvalidConfig`. The budget
 * (`req.timeoutMs` or 5 minutes) covers connect and call (`Timeout`); an abort is `Cancelled`;
 * a server that dies or speaks garbage is `Crashed`.
 *
 * Not done: the SDK starts the server as a plain child (not in its own process group), so a
 * server's own grandchildren are not reaped on timeout; the SDK kills the server itself.
 */
export function createMcpProvider(deps: McpProviderDeps): Provider {
  return { schemes: schemesOf('mcp'), dispatch: (req) => dispatchMcp(deps, req) }
}

async function dispatchMcp(deps: McpProviderDeps, req: DispatchRequest): Promise<DispatchResult> {
  const target = /^mcp:\/\/([^/]+)\/(.+)$/i.exec(req.provider)
  const serverName = target?.[1]
  const toolName = target?.[2]
  if (serverName === undefined || toolName === undefined) {
    return { outcome: 'failed', reason: 'InvalidConfig', message: 'provider must be mcp://SERVER/TOOL' }
  }
  const fromConfig = req.config['servers']
  const configured = isPlainObject(fromConfig) && Object.hasOwn(fromConfig, serverName) ? fromConfig[serverName] : undefined
  const server = configured ?? (deps.servers && Object.hasOwn(deps.servers, serverName) ? deps.servers[serverName] : undefined)
  const command = isPlainObject(server) ? server['command'] : undefined
  if (!Array.isArray(command) || command.length === 0 || !command.every((a): a is string => typeof a === 'string')) {
    return { outcome: 'failed', reason: 'InvalidConfig', message: clip(`MCP server ${JSON.stringify(serverName)} is not configured`) }
  }
  const [file = '', ...args] = command
  if (!isCommandAllowed(file, deps.policy.allowCommands)) {
    return { outcome: 'failed', reason: 'NotAllowed', message: clip(maskText(deps, `command ${JSON.stringify(file)} is not on the allow-list (allow it with --allow-command, an absolute path or a glob)`)) }
  }
  const timeoutMs = req.timeoutMs ?? DEFAULT_MCP_TIMEOUT_MS
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = AbortSignal.any([req.signal, timeout])
  const built = commandEnv({ processEnv: deps.env ?? process.env, workspace: req.workspace, bindingEnv: req.config['env'], allowEnv: deps.policy.allowEnv ?? [], ...(deps.redactor === undefined ? {} : { redactor: deps.redactor }) })
  if (!built.ok) return { outcome: 'failed', reason: built.reason, message: clip(maskText(deps, built.message)) }
  const transport = new StdioClientTransport({ command: file, args, env: built.env, cwd: req.workspace, stderr: 'ignore' })
  const client = new Client({ name: 'planspec-engine', version: '0.1.0' })
  try {
    await client.connect(transport, { signal, timeout: timeoutMs })
    const result = await client.callTool({ name: toolName, arguments: { ...req.inputs } }, undefined, { signal, timeout: timeoutMs })
    const content = Array.isArray(result.content) ? (result.content as unknown[]) : []
    const firstText = content.find((c): c is { type: 'text'; text: string } => isPlainObject(c) && c['type'] === 'text' && typeof c['text'] === 'string')
    if (result.isError === true) {
      return { outcome: 'failed', reason: 'RemoteFailed', message: clip(maskText(deps, firstText?.text ?? `tool ${toolName} failed`)) }
    }
    const outputs = isPlainObject(result.structuredContent) ? result.structuredContent : firstText && parseJsonObject(firstText.text)
    if (outputs === undefined) {
      return { outcome: 'failed', reason: 'InvalidOutput', message: `tool ${toolName} returned no JSON object` }
    }
    const maxBytes = deps.policy.maxOutputBytes ?? 1024 * 1024
    if (Buffer.byteLength(JSON.stringify(outputs)) > maxBytes) {
      return { outcome: 'failed', reason: 'OutputTooLarge', message: `tool ${toolName} outputs exceeded ${maxBytes} bytes` }
    }
    return { outcome: 'succeeded', ...keepDeclared(outputs, req.declaredOutputs) }
  } catch (err) {
    if (req.signal.aborted) return { outcome: 'failed', reason: 'Cancelled', message: 'MCP call was cancelled' }
    if (timeout.aborted || isTimeoutError(err)) {
      return { outcome: 'failed', reason: 'Timeout', message: `MCP call timed out after ${timeoutMs}ms` }
    }
    const detail = err instanceof Error ? err.message : 'unknown error'
    return { outcome: 'failed', reason: 'Crashed', message: clip(maskText(deps, `MCP server ${serverName} failed: ${detail}`)) }
  } finally {
    await client.close().catch(() => undefined)
  }
}

function isTimeoutError(err: unknown): boolean {
  // McpError RequestTimeout (-32001).
  return typeof err === 'object' && err !== null && 'code' in err && err.code === -32001
}

