import { LOG_STREAMS, type LogStream } from '@planspec/core'
import { GitInvalidInputError } from './errors.js'
import { readBlobBytes, readCommitInfo, readRawTree } from './internal/git-objects.js'
import { openRepository } from './internal/open-repository.js'
import { readBranchHead } from './internal/read-branch-head.js'
import { isDnsLabel } from './internal/status-layout.js'
import { entryAtPath } from './internal/update-tree.js'
import { DEFAULT_STATUS_BRANCH, type GitRepository } from './types.js'

/** The directory of attempt logs on the status branch. */
export const LOGS_DIR = 'logs'

/** One attempt's kept output on one stream, written as a blob of the status commit. */
export interface LogBlob {
  readonly namespace: string
  /** The Execution's name. */
  readonly execution: string
  readonly node: string
  readonly attempt: number
  readonly stream: LogStream
  readonly text: string
}

/** A log blob read back from the status branch. */
export type StoredLogBlob = Omit<LogBlob, 'namespace' | 'execution'>

const FILE = /^([1-9][0-9]{0,8})\.(stdout|stderr)$/
/** Largest log blob read back: the cap of one stream keeps them far below. */
const MAX_LOG_BLOB_BYTES = 8 * 1024 * 1024

/** The directory of an Execution's logs: `logs/<namespace>/<execution>` (pruned with the Execution). */
export function executionLogsDir(namespace: string, execution: string): string {
  if (!isDnsLabel(namespace)) throw new GitInvalidInputError('namespace must be a DNS label', { data: { field: 'namespace' } })
  if (!isDnsLabel(execution)) throw new GitInvalidInputError('execution must be a DNS label', { data: { field: 'execution' } })
  return `${LOGS_DIR}/${namespace}/${execution}`
}

/**
 * The path of one attempt's log blob: `logs/<namespace>/<execution>/<node>/<attempt>.<stream>`
 * (five levels: it never meets a status, lease or request file). Throws `GitInvalidInputError`
 * for a name, namespace or node id that is not a DNS label, or a bad attempt.
 */
export function logBlobPath(log: Omit<LogBlob, 'text'>): string {
  if (!isDnsLabel(log.node)) throw new GitInvalidInputError('node must be a DNS label', { data: { field: 'node' } })
  if (!Number.isInteger(log.attempt) || log.attempt < 1 || log.attempt > 999_999_999) throw new GitInvalidInputError('attempt must be a positive integer', { data: { field: 'attempt' } })
  if (!LOG_STREAMS.includes(log.stream)) throw new GitInvalidInputError('stream must be stdout or stderr', { data: { field: 'stream' } })
  return `${executionLogsDir(log.namespace, log.execution)}/${log.node}/${log.attempt}.${log.stream}`
}

/** Options of {@link readExecutionLogs}. */
export interface ReadExecutionLogsOptions extends GitRepository {
  readonly namespace: string
  readonly execution: string
  /** The status commit to read (default: the status branch's head as last fetched). */
  readonly revision?: string
  /** The status branch; `planspec/status` by default. */
  readonly branch?: string
}

/**
 * Reads the log blobs an agent wrote for an Execution on the status branch (at `revision`, else
 * the branch head as last fetched: fetch first, e.g. with `readStatus`). Entries that are not
 * what the agent writes (a link, a wrong name, an oversize blob) are skipped. Resolves `[]` when
 * the branch or the directory does not exist.
 *
 * @example
 * const logs = await readExecutionLogs({ fs, dir, url, namespace: 'default', execution: 'release-1' })
 */
export async function readExecutionLogs(options: ReadExecutionLogsOptions): Promise<StoredLogBlob[]> {
  const context = await openRepository(options)
  const head = options.revision ?? (await readBranchHead(context, options.branch ?? DEFAULT_STATUS_BRANCH, false))
  if (head === undefined) return []
  const { tree } = await readCommitInfo(context, head)
  const dir = await entryAtPath(context, tree, executionLogsDir(options.namespace, options.execution))
  if (dir?.type !== 'tree') return []
  const found: StoredLogBlob[] = []
  for (const nodeEntry of await readRawTree(context, dir.oid)) {
    if (nodeEntry.type !== 'tree' || !isDnsLabel(nodeEntry.name)) continue
    for (const file of await readRawTree(context, nodeEntry.oid)) {
      const match = FILE.exec(file.name)
      if (file.type !== 'blob' || match === null) continue
      const bytes = await readBlobBytes(context, file.oid)
      if (bytes.byteLength > MAX_LOG_BLOB_BYTES) continue
      found.push({ node: nodeEntry.name, attempt: Number(match[1]), stream: match[2] as LogStream, text: new TextDecoder('utf-8').decode(bytes) })
    }
  }
  return found
}
