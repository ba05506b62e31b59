import { spawn as nodeSpawn } from 'node:child_process'
import { constants } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { parseDuration } from '@planspec/core'
import type { AcceptanceCriterion, CriterionFailureReason, CriterionResult } from './acceptance-criterion.js'
import { isCommandAllowed } from './command-allowed.js'
import { DEFAULT_MAX_OUTPUT_BYTES } from './exec-provider.js'
import { clip, lastLine } from './internal/outputs.js'
import { commandEnv } from './internal/command-env.js'
import { runArgv } from './internal/run-argv.js'
import { compileUserRegex, type UserRegex } from './internal/user-regex.js'
import { vettedRequest } from './internal/vetted-request.js'
import { maskText } from './internal/mask-text.js'
import type { Redactor } from '@planspec/core'
import type { LookupFn, PinnedFetch, Policy, SpawnFn } from './types.js'

/** Budget of a criterion without its own `timeout`: 5 minutes. */
export const DEFAULT_CRITERION_TIMEOUT_MS = 5 * 60 * 1000

/** Where and with which effects criteria are checked. */
export interface AcceptanceDeps {
  /** Absolute path of the Execution's workspace: artifacts must lie inside, commands run here. */
  workspace: string
  policy: Policy
  spawn?: SpawnFn
  fetch?: PinnedFetch
  lookup?: LookupFn
  env?: Readonly<Record<string, string | undefined>>
  secrets?: readonly string[]
  /** The shell's redactor: masks every message. */
  redactor?: Redactor
  signal?: AbortSignal
}

type Verdict = { passed: true; message: string } | { passed: false; reason: CriterionFailureReason; message: string }

/**
 * Checks a Task's acceptance criteria (RESOURCES §2.9), one after the other, and returns one
 * result per criterion in order. Never throws: every problem is a failed result.
 *
 * - `artifact_exists`: `path` is relative to the workspace; absolute paths, `..` escapes and
 *   symlinks whose real path leaves the workspace's real path fail with `PathEscape`. With
 *   `contentMatch`, the path must be a regular file (at most `policy.maxOutputBytes`, default
 *   1 MiB) whose UTF-8 content matches the regex. Every pattern (`contentMatch`, `outputMatch`,
 *   `bodyMatch`) has RE2 semantics and runs on a linear-time engine: none can backtrack.
 * - `test_passes` / `command_succeeds`: `[command, ...args]` runs without a shell, allow-listed
 *   like `exec://`, in the workspace with the allow-listed env and empty stdin; passes on
 *   `expectedExitCode` (default 0) and, for `command_succeeds`, stdout matching `outputMatch`.
 * - `endpoint_responds`: `method` (default GET) to `url` through the SSRF-vetted client; passes
 *   on `expectedStatus` (default 200) and `bodyMatch`. Redirects fail (`Refused`).
 * - `custom`: POSTs `payload` (as JSON, not templated) to `webhookUrl` the same way; passes when
 *   every property of `expectedResponse` holds.
 *
 * `timeout` (Go duration, default 5 minutes) bounds each check; exceeding it fails with
 * `Timeout`. Whether a failure blocks is the caller's call: `required: false` results never
 * should (see {@link blockingFailures}).
 *
 * @example
 * ```ts
 * const results = await runAcceptanceCriteria(task.acceptanceCriteria ?? [], { workspace, policy })
 * if (blockingFailures(results).length > 0) fail('AcceptanceFailed')
 * ```
 */
export async function runAcceptanceCriteria(
  criteria: readonly AcceptanceCriterion[],
  deps: AcceptanceDeps,
): Promise<CriterionResult[]> {
  const results: CriterionResult[] = []
  for (const [index, criterion] of criteria.entries()) {
    const verdict = await check(criterion, deps)
    results.push({
      id: criterion.id ?? `criterion-${index}`,
      name: criterion.name,
      type: criterion.type,
      required: criterion.required !== false,
      ...verdict,
      message: clip(maskText(deps, verdict.message)),
    })
  }
  return results
}

/**
 * Returns the results that block task completion: required and not passed.
 *
 * @example
 * ```ts
 * blockingFailures([{ id: 'a', name: 'a', type: 'custom', passed: false, required: false, message: '' }]) // []
 * ```
 */
export function blockingFailures(results: readonly CriterionResult[]): CriterionResult[] {
  return results.filter((r) => r.required && !r.passed)
}

async function check(c: AcceptanceCriterion, deps: AcceptanceDeps): Promise<Verdict> {
  let timeoutMs = DEFAULT_CRITERION_TIMEOUT_MS
  if (c.timeout !== undefined) {
    const parsed = parseDuration(c.timeout)
    if (!parsed.ok) return { passed: false, reason: 'InvalidCriterion', message: `invalid timeout ${JSON.stringify(c.timeout)}` }
    timeoutMs = Math.max(1, Math.ceil(parsed.ms))
  }
  if (deps.signal?.aborted === true) return { passed: false, reason: 'Cancelled', message: 'cancelled' }
  switch (c.type) {
    case 'artifact_exists':
      return withTimeout(checkArtifact(c.path, c.contentMatch, deps), timeoutMs)
    case 'test_passes':
      return checkCommand([c.command, ...(c.args ?? [])], c.expectedExitCode ?? 0, undefined, timeoutMs, deps)
    case 'command_succeeds':
      return checkCommand([c.command, ...(c.args ?? [])], c.expectedExitCode ?? 0, c.outputMatch, timeoutMs, deps)
    case 'endpoint_responds':
      return checkHttp(c.url, c.method ?? 'GET', undefined, { statusCode: c.expectedStatus ?? 200, bodyMatch: c.bodyMatch }, timeoutMs, deps)
    case 'custom':
      return checkHttp(c.webhookUrl, 'POST', JSON.stringify(c.payload ?? {}), c.expectedResponse, timeoutMs, deps)
  }
}

async function checkArtifact(path: string, contentMatch: string | undefined, deps: AcceptanceDeps): Promise<Verdict> {
  const pattern = compile(contentMatch)
  if (pattern === null) return { passed: false, reason: 'InvalidCriterion', message: 'contentMatch is not a valid RE2 regex (no lookarounds or backreferences)' }
  if (path.includes('\0') || isAbsolute(path)) {
    return { passed: false, reason: 'PathEscape', message: `${JSON.stringify(path)} must be relative to the workspace` }
  }
  const root = resolve(deps.workspace)
  if (!isInside(root, resolve(root, path))) {
    return { passed: false, reason: 'PathEscape', message: `${JSON.stringify(path)} leaves the workspace` }
  }
  let real: string
  try {
    real = await realpath(resolve(root, path))
  } catch {
    return { passed: false, reason: 'NotFound', message: `${JSON.stringify(path)} does not exist` }
  }
  // A symlink inside the workspace may point outside it: judge the real path (THREATS T10).
  if (!isInside(await realpath(root), real)) {
    return { passed: false, reason: 'PathEscape', message: `${JSON.stringify(path)} resolves outside the workspace` }
  }
  if (pattern === undefined) return { passed: true, message: `${JSON.stringify(path)} exists` }
  // O_NOFOLLOW + fstat on the handle: a symlink swapped in after the realpath check is refused,
  // and the size and type are those of the file actually read.
  let handle
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch {
    return { passed: false, reason: 'PathEscape', message: `${JSON.stringify(path)} changed while being checked` }
  }
  let content: string
  try {
    const info = await handle.stat()
    if (!info.isFile()) return { passed: false, reason: 'NotAFile', message: `${JSON.stringify(path)} is not a regular file` }
    const max = deps.policy.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES
    if (info.size > max) return { passed: false, reason: 'OutputTooLarge', message: `${JSON.stringify(path)} is over ${max} bytes` }
    content = await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
  return pattern.test(content)
    ? { passed: true, message: `${JSON.stringify(path)} matches` }
    : { passed: false, reason: 'NoMatch', message: `${JSON.stringify(path)} does not match contentMatch` }
}

async function checkCommand(
  argv: readonly string[],
  expectedExitCode: number,
  outputMatch: string | undefined,
  timeoutMs: number,
  deps: AcceptanceDeps,
): Promise<Verdict> {
  const pattern = compile(outputMatch)
  if (pattern === null) return { passed: false, reason: 'InvalidCriterion', message: 'outputMatch is not a valid RE2 regex (no lookarounds or backreferences)' }
  const executable = argv[0] ?? ''
  if (!isCommandAllowed(executable, deps.policy.allowCommands)) {
    return { passed: false, reason: 'NotAllowed', message: `command ${JSON.stringify(executable)} is not on the allow-list (allow it with --allow-command, an absolute path or a glob)` }
  }
  const max = deps.policy.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES
  // The explicit environment of DECISIONS §9: PATH, LANG, HOME = the workspace, nothing else.
  const built = commandEnv({ processEnv: deps.env ?? process.env, workspace: deps.workspace, bindingEnv: undefined, allowEnv: [] })
  const env = built.ok ? built.env : {}
  const r = await runArgv({
    spawn: deps.spawn ?? nodeSpawn,
    argv,
    cwd: deps.workspace,
    env,
    timeoutMs,
    maxBytes: max,
    signal: deps.signal ?? new AbortController().signal,
  })
  switch (r.kind) {
    case 'timeout':
      return { passed: false, reason: 'Timeout', message: `command timed out after ${timeoutMs}ms` }
    case 'cancelled':
      return { passed: false, reason: 'Cancelled', message: 'command was cancelled' }
    case 'too-large':
      return { passed: false, reason: 'OutputTooLarge', message: `${r.stream} exceeded ${max} bytes` }
    case 'spawn-error':
      return { passed: false, reason: 'Crashed', message: `command could not start (${r.code})` }
    case 'signaled':
      return { passed: false, reason: 'Crashed', message: `command was killed by ${r.signal}` }
    case 'exited': {
      if (r.code !== expectedExitCode) {
        const detail = lastLine(r.stderr)
        return {
          passed: false,
          reason: 'ExitCode',
          message: `command exited with code ${r.code}, expected ${expectedExitCode}${detail === undefined ? '' : `: ${detail}`}`,
        }
      }
      if (pattern !== undefined && !pattern.test(r.stdout)) {
        return { passed: false, reason: 'NoMatch', message: 'stdout does not match outputMatch' }
      }
      return { passed: true, message: `command exited with code ${r.code}` }
    }
  }
}

async function checkHttp(
  url: string,
  method: string,
  body: string | undefined,
  expected: { statusCode?: number | undefined; bodyMatch?: string | undefined },
  timeoutMs: number,
  deps: AcceptanceDeps,
): Promise<Verdict> {
  const pattern = compile(expected.bodyMatch)
  if (pattern === null) return { passed: false, reason: 'InvalidCriterion', message: 'bodyMatch is not a valid RE2 regex (no lookarounds or backreferences)' }
  const res = await vettedRequest(deps, {
    url,
    method,
    headers: body === undefined ? { accept: '*/*' } : { 'content-type': 'application/json', accept: '*/*' },
    ...(body === undefined ? {} : { body }),
    timeoutMs,
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
  })
  if (!res.ok) {
    const reason: CriterionFailureReason = res.reason === 'InvalidConfig' || res.reason === 'RemoteFailed' ? 'HttpError' : (res.reason as CriterionFailureReason)
    return { passed: false, reason, message: res.message }
  }
  const { status } = res.response
  if (expected.statusCode !== undefined && status !== expected.statusCode) {
    return { passed: false, reason: 'StatusMismatch', message: `answered ${status}, expected ${expected.statusCode}` }
  }
  if (pattern !== undefined && !pattern.test(res.response.body.toString('utf8'))) {
    // The body itself never reaches the message (THREATS T12).
    return { passed: false, reason: 'NoMatch', message: `answered ${status}; body does not match bodyMatch` }
  }
  return { passed: true, message: `answered ${status}` }
}

/** `undefined` for no pattern, `null` for one RE2 does not accept (matched in linear time, never backtracking). */
function compile(pattern: string | undefined): UserRegex | undefined | null {
  if (pattern === undefined) return undefined
  return compileUserRegex(pattern)
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

function withTimeout(work: Promise<Verdict>, timeoutMs: number): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<Verdict>((done) => {
    timer = setTimeout(() => done({ passed: false, reason: 'Timeout', message: `check timed out after ${timeoutMs}ms` }), timeoutMs)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}
