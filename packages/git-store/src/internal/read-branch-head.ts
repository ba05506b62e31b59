import { GitBranchNotFoundError } from '../errors.js'
import { resolveRefOid } from './git-objects.js'
import { branchRef, type RepoContext } from './open-repository.js'

/** Reads a branch head: the remote-tracking ref with a remote, the local branch without. */
export async function readBranchHead(context: RepoContext, branch: string, required: true): Promise<string>
export async function readBranchHead(context: RepoContext, branch: string, required: false): Promise<string | undefined>
export async function readBranchHead(context: RepoContext, branch: string, required: boolean): Promise<string | undefined> {
  const oid = await resolveRefOid(context, branchRef(context, branch))
  if (oid === undefined && required) {
    const where = context.remote ? context.remote.displayUrl : 'the local repository'
    throw new GitBranchNotFoundError(`branch ${branch} does not exist in ${where}`, { data: { branch } })
  }
  return oid
}
