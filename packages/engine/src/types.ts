import type { ChildProcess, SpawnOptions } from 'node:child_process'
import type { CappedText } from '@planspec/core'

/**
 * Stable failure reasons a provider reports. The runner copies them into the node's status
 * `reason`; tests and callers assert on them, never on `message`.
 *
 * - `AcceptanceFailed`: the attempt succeeded but a required acceptance criterion failed (set by the runner).
 * - `Timeout`: the attempt ran past its time budget (the process group was killed).
 * - `Cancelled`: `req.signal` aborted the attempt (the process group was killed).
 * - `Crashed`: the process was killed by a signal, or could not be started.
 * - `ExitCode`: the process exited non-zero.
 * - `InvalidOutput`: outputs were not a JSON object.
 * - `OutputTooLarge`: stdout, stderr, the outputs file or an HTTP body went over the cap.
 * - `NotAllowed`: the command or URL is not on the policy's allow-list.
 * - `UnknownProvider`: no provider handles the scheme.
 * - `InvalidConfig`: the provider config is malformed (e.g. `command` is not an argv array).
 * - `HttpError`: an HTTP endpoint answered with an unexpected status or could not be reached.
 * - `Refused`: an outbound request was refused by the SSRF guard (private address, redirect).
 * - `RemoteFailed`: a remote service (HTTP status poll, MCP tool) reported failure.
 *
 * `UndeclaredOutput` is not a failure: undeclared output keys are dropped and named in the
 * succeeded result's `message` (see {@link DispatchResult}).
 */
export type FailureReason =
  | 'AcceptanceFailed'
  | 'Timeout'
  | 'Cancelled'
  | 'Crashed'
  | 'ExitCode'
  | 'InvalidOutput'
  | 'OutputTooLarge'
  | 'NotAllowed'
  | 'UnknownProvider'
  | 'InvalidConfig'
  | 'HttpError'
  | 'Refused'
  | 'RemoteFailed'

/** One attempt of one node, as handed to a provider. */
export interface DispatchRequest {
  /** Idempotency key `<execution uid>/<node id>/<attempt>` (DECISIONS §3). */
  runId: string
  node: string
  /** Attempt number, from 1. */
  attempt: number
  /** The Binding target's provider URI, e.g. `exec://build` or `mcp://files/read`. */
  provider: string
  /** The Binding target's `config`. */
  config: Readonly<Record<string, unknown>>
  /** The node's resolved inputs. */
  inputs: Readonly<Record<string, unknown>>
  /** Output names the node declares; anything else is dropped. */
  declaredOutputs: readonly string[]
  /** Budget for the attempt; providers fall back to their own default when unset. */
  timeoutMs?: number
  /** Absolute path of the Execution's workspace directory (cwd of every spawned process). */
  workspace: string
  /** Aborting it cancels the attempt. */
  signal: AbortSignal
}

/**
 * What an attempt came to. `succeeded.message` is set when undeclared outputs were dropped
 * (`UndeclaredOutput: dropped a, b`). `failed.log` is the tail of what the attempt printed (stdout
 * then stderr, secrets masked, at most 2 KiB), kept in the node's status for people to read. `pending` is either pollable (`poll`) or claimable work.
 */
export type DispatchResult =
  | { outcome: 'succeeded'; outputs: Record<string, unknown>; message?: string; output?: AttemptOutput }
  | { outcome: 'failed'; reason: FailureReason; message: string; log?: string; output?: AttemptOutput }
  | { outcome: 'pending'; poll?: { url: string; intervalMs: number }; claimable?: boolean }

/**
 * What an attempt printed, as kept: each stream capped to `policy.maxLogBytes` (head and tail,
 * see core's `capLogText`) and secret-masked. Providers that run commands report it on success and
 * on failure alike (a timed-out or cancelled command's output included).
 */
export interface AttemptOutput {
  readonly stdout: CappedText
  readonly stderr: CappedText
}

/**
 * What a provider knows of an attempt a previous runner process started (DECISIONS §9, "no side
 * effect twice"): it never started (dispatch it again, same runId); it is re-attached to (its
 * result, when it ends); or it ran and how it ended is lost (what was left of it is stopped, then
 * it may be retried with that reason recorded).
 */
export type Reattached =
  | { readonly state: 'not-started' }
  | { readonly state: 'attached'; readonly result: Promise<DispatchResult> }
  | { readonly state: 'lost'; readonly message: string }

/** A provider: dispatches attempts for the URI schemes it lists. */
export interface Provider {
  /** URI schemes handled, without `://`, e.g. `['exec', 'tool']`. */
  readonly schemes: readonly string[]
  /** Starts (and, for synchronous providers, finishes) an attempt. Never throws. */
  dispatch(req: DispatchRequest): Promise<DispatchResult>
  /** Polls a pending attempt; `undefined` when the provider cannot tell. */
  status?(runId: string, poll?: { url: string }): Promise<DispatchResult | undefined>
  /**
   * Finds an attempt a previous runner process started, after a restart; `signal` cancels a
   * re-attached one. Providers that cannot (HTTP, MCP) leave it out: the runner then asks `status`.
   */
  reattach?(req: Pick<DispatchRequest, 'runId' | 'node' | 'attempt' | 'provider' | 'config' | 'declaredOutputs' | 'workspace' | 'signal'>): Promise<Reattached>
  /**
   * What a running attempt printed so far, as it would be kept (capped, masked): the runner saves
   * it every `logFlushMs` so `planspec logs -f` follows a running attempt. Providers whose
   * attempts print nothing leave it out.
   */
  peekOutput?(runId: string): Promise<AttemptOutput | undefined>
  /** Forgets what the provider kept of an attempt whose result is now recorded in the status. */
  release?(runId: string): Promise<void>
}

/**
 * The agent's outbound policy (THREATS T11, T12). Data, owned by the operator, never by tenants.
 *
 * - `allowCommands`: patterns for `argv[0]`. An entry matches exactly, or with `*` standing for
 *   any run of characters other than `/` (so `/usr/bin/*` matches `/usr/bin/node` but not
 *   `/usr/bin/x/y`). Use absolute paths; a bare name (`npm`) only matches a bare pattern and is
 *   then resolved through the allow-listed `PATH`.
 * - `allowUrls`: URL patterns `scheme://host[:port][/path]`. Each part is matched separately on
 *   the parsed URL: the scheme exactly; the host with `*` for any run of characters (so
 *   `*.example.com` matches every subdomain); the port exactly, `*` for any port, and an
 *   omitted port means the scheme's default; the path (plus query) with `*` for anything, and an
 *   omitted path means any path.
 * - `allowPrivateNetworks`: allow loopback/private/link-local/multicast targets (tests, labs).
 * - `maxOutputBytes`: cap on each of stdout, stderr, an outputs file and an HTTP body
 *   (default 1 MiB).
 * - `maxLogBytes`: what is kept of each stream of each attempt for `planspec logs` (default
 *   256 KiB, head and tail around a truncation marker; see core's `capLogText`).
 * - `allowEnv`: patterns (`*` = any run of characters) of the process's environment variables a
 *   Binding's `config.env` may hand to a command (`{ fromEnv: VAR }`); default none. The product's
 *   own variables (`PLANSPEC_*`) are never handed over.
 */
export interface Policy {
  allowCommands: readonly string[]
  allowUrls: readonly string[]
  allowEnv?: readonly string[]
  allowPrivateNetworks?: boolean
  maxOutputBytes?: number
  maxLogBytes?: number
}

/** `child_process.spawn`'s argv form, the only one the engine uses. */
export type SpawnFn = (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess

/** One resolved address, as `dns.promises.lookup(host, { all: true })` returns them. */
export interface LookupAddress {
  address: string
  family: number
}

/** Resolves a host name once; the engine vets every address it returns. */
export type LookupFn = (hostname: string) => Promise<readonly LookupAddress[]>

/** A request the SSRF guard has vetted: it must go to `address`, never re-resolving `url`'s host. */
export interface PinnedRequest {
  url: URL
  /** The vetted IP to connect to. */
  address: string
  method: string
  headers: Readonly<Record<string, string>>
  body?: string
  /** Stop reading (and report `tooLarge`) past this many bytes. */
  maxBytes: number
  signal: AbortSignal
}

/** The response of a {@link PinnedFetch}; `tooLarge` when the body went over `maxBytes`. */
export interface PinnedResponse {
  status: number
  headers: Readonly<Record<string, string | undefined>>
  body: Buffer
  tooLarge: boolean
}

/**
 * The HTTP effect: sends a vetted request to its pinned address, never following redirects.
 * The default implementation uses `node:http`/`node:https` with the `Host` header and TLS server
 * name taken from the URL, so certificates are still checked against the host name.
 */
export type PinnedFetch = (req: PinnedRequest) => Promise<PinnedResponse>

/** An MCP server the `mcp://SERVER/TOOL` provider may start (stdio transport). */
export interface McpServerConfig {
  /** argv of the server; `command[0]` must pass `policy.allowCommands`. */
  command: readonly string[]
}
