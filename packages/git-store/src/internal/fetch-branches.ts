import git from 'isomorphic-git'
import { GitBranchNotFoundError } from '../errors.js'
import { replayDiscovery } from './advertise-head.js'
import { hasObject, resolveRefOid } from './git-objects.js'
import { mapRemoteError } from './map-remote-error.js'
import { REMOTE, type RepoContext } from './open-repository.js'

/** The outcome of bringing remote-tracking refs up to date. */
export interface FetchOutcome {
  /** Each branch's head after the fetch (undefined: the branch does not exist on the remote). */
  readonly heads: ReadonlyMap<string, string | undefined>
  /** Branches whose head moved. */
  readonly updated: readonly string[]
  /** Branches gone from the remote whose tracking ref was removed. */
  readonly pruned: readonly string[]
  /** Branches for which objects were downloaded. */
  readonly downloaded: readonly string[]
}

/**
 * Brings the remote-tracking refs of `branches` up to date. One ref advertisement (like
 * `git ls-remote`) comes first, so a poll with no change costs one small request and no pack
 * negotiation; a fetch that follows replays that advertisement instead of asking again. A branch missing on the remote throws {@link GitBranchNotFoundError} when
 * `required`, else its tracking ref is pruned. Without a remote, does nothing.
 */
export async function fetchBranches(context: RepoContext, branches: readonly { readonly name: string; readonly required: boolean }[]): Promise<FetchOutcome> {
  const heads = new Map<string, string | undefined>()
  const updated: string[] = []
  const pruned: string[] = []
  const downloaded: string[] = []
  const remote = context.remote
  if (!remote) return { heads, updated, pruned, downloaded }
  let advertised: Map<string, string>
  const http = replayDiscovery(remote.http)
  try {
    const refs = await git.listServerRefs({ http, url: remote.url, onAuth: remote.onAuth, protocolVersion: 1, prefix: 'refs/heads/' })
    advertised = new Map(refs.map((r) => [r.ref, r.oid]))
  } catch (error) {
    throw mapRemoteError(error, remote, { action: 'ls-remote' })
  }
  const base = { fs: context.fs, gitdir: context.gitdir }
  for (const { name, required } of branches) {
    const tracking = `refs/remotes/${REMOTE}/${name}`
    const remoteOid = advertised.get(`refs/heads/${name}`)
    const localOid = await resolveRefOid(context, tracking)
    if (remoteOid === undefined) {
      if (required) throw new GitBranchNotFoundError(`branch ${name} does not exist on ${remote.displayUrl}`, { data: { url: remote.displayUrl, branch: name } })
      if (localOid !== undefined) {
        await git.deleteRef({ ...base, ref: tracking })
        pruned.push(name)
      }
      heads.set(name, undefined)
      continue
    }
    if (remoteOid !== localOid) {
      if (await hasObject(context, remoteOid)) await git.writeRef({ ...base, ref: tracking, value: remoteOid, force: true })
      else {
        try {
          // `ref` names the tracking ref so that its tip is sent as a "have" (incremental pack).
          await git.fetch({ ...base, http, url: remote.url, onAuth: remote.onAuth, remote: REMOTE, ref: tracking, remoteRef: `refs/heads/${name}`, singleBranch: true, tags: false, cache: context.cache.objects })
        } catch (error) {
          throw mapRemoteError(error, remote, { action: 'fetch', branch: name })
        }
        downloaded.push(name)
      }
      updated.push(name)
    }
    heads.set(name, await resolveRefOid(context, tracking))
  }
  return { heads, updated, pruned, downloaded }
}
