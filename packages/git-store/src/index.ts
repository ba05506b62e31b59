export { fetchRemote } from './fetch-remote.js'
export type { FetchRemoteOptions, FetchRemoteResult } from './fetch-remote.js'
export { readDesired } from './read-desired.js'
export { SOURCE_VALID_CONDITION } from './desired-state.js'
export type { DesiredChanges, DesiredResource, DesiredState, ReadDesiredOptions, ReadDesiredStats } from './desired-state.js'
export { createGitStoreCache } from './create-git-store-cache.js'
export type { GitStoreCache } from './create-git-store-cache.js'
export { nextIdentity, resourceUid, specHashOf } from './resource-identity.js'
export type { ResourceIdentity } from './resource-identity.js'
export { GIT_STORE_CODES } from './diagnostic-codes.js'
export type { GitStoreCode } from './diagnostic-codes.js'
export {
  GitAuthError,
  GitBranchNotFoundError,
  GitInvalidInputError,
  GitRepositoryNotFoundError,
  GitTransportError,
  GitUnreachableError,
  GitUrlError,
  LeaseHeldError,
  LeaseLostError,
  StatusConflictError,
} from './errors.js'
export type { GitErrorOptions } from './errors.js'
export { AGENT_IDENTITY, DEFAULT_STATUS_BRANCH } from './types.js'
export type { GitCredentials, GitIdentity, GitRepository } from './types.js'
export { writeStatusCommit } from './write-status-commit.js'
export type { StatusCommitResult, WriteStatusCommitOptions } from './write-status-commit.js'
export { readStatus } from './read-status.js'
export type { ReadStatusOptions, StatusEntry, StatusSnapshot } from './read-status.js'
export { MAX_STATUS_BYTES } from './status-document.js'
export type { StatusChange, StatusDeletion, StatusUpdate, StoredStatus } from './status-document.js'
export { appendRequest } from './append-request.js'
export type { AppendRequestOptions, AppendRequestResult } from './append-request.js'
export { readRequests } from './read-requests.js'
export type { ReadRequestsOptions, RequestLog, RequestRecord } from './read-requests.js'
export { MAX_REQUEST_BYTES, REQUEST_TARGETS, requestProblem } from './request-document.js'
export type { PlanSpecRequest, RequestAction } from './request-document.js'
export { acquireLease } from './acquire-lease.js'
export type { LeaseResult } from './acquire-lease.js'
export { renewLease } from './renew-lease.js'
export { releaseLease } from './release-lease.js'
export { leaseProblem } from './lease-document.js'
export type { Lease, LeaseChange, LeaseOptions } from './lease-document.js'
export { agentProof, checkAgentProof, createAgentKeyring, MIN_AGENT_KEY_BYTES, parseAgentKeys } from './agent-key.js'
export type { AgentKey, AgentKeyring } from './agent-key.js'
export { allowedSignerPrincipals, verifySshSignature } from './verify-ssh-signature.js'
export type { SignatureRefusal, SignatureVerdict, VerifySshSignatureOptions } from './verify-ssh-signature.js'
export { signPayload } from './sign-payload.js'
export type { SshSigningKey } from './sign-payload.js'
export { readTrackedFile } from './read-tracked-file.js'
export type { ReadTrackedFileOptions, TrackedFile } from './read-tracked-file.js'
export { findIntroducingCommit } from './find-introducing-commit.js'
export type { FindIntroducingCommitOptions, IntroducingCommit } from './find-introducing-commit.js'
export type { TamperedPath } from './internal/status-proof.js'
export type { StaleLock } from './internal/ref-lock.js'
