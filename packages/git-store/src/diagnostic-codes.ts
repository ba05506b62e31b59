import type { Diagnostic, Severity } from '@planspec/core'
import type { CodeInfo } from '@planspec/validator'

/**
 * Diagnostic codes of the git source and the status branch, in the `PS7xxx` range ("git"):
 * findings about what is *in* the repository (returned, never thrown), documented like the
 * validator's catalog. PS4002 (duplicate resource) is reused from that catalog for duplicates
 * across files.
 */
export const GIT_STORE_CODES = {
  PS7001: { severity: 'error', title: 'Symbolic link refused', help: 'A manifest path is a symbolic link (tree mode 120000). Links are never followed: they could point outside the repository (CVE-2022-24904). Commit the file itself.', example: 'plans/release.yaml -> /etc/passwd' },
  PS7002: { severity: 'error', title: 'Unsafe path refused', help: 'A tree entry has a name that is unsafe on some file system: "..", ".", a ".git" component in any letter case, a slash, backslash, NUL or control character, or a drive letter. The entry and everything under it are ignored (THREATS T10).', example: 'a/../../x, .GIT/config, ..\\x' },
  PS7003: { severity: 'warning', title: 'Unsupported tree entry', help: 'A path that looks like a manifest is a submodule or has an unknown file mode; it is ignored.', example: 'plans.yaml (mode 160000)' },
  PS7004: { severity: 'warning', title: 'History rewritten', help: 'The tracked branch was force-pushed: the previously read revision is not an ancestor of the new one (or is gone). The whole tree was read again.', example: 'git push --force origin main' },
  PS7005: { severity: 'error', title: 'Invalid repository config', help: '.planspec.yaml is not a mapping with a DNS-label namespace and string lists paths and exclude. The previous config (or the defaults) stays in effect.', example: 'paths: plans/**' },
  PS7006: { severity: 'warning', title: 'Last known good version in effect', help: 'The current version of the resource is invalid (or its file cannot be read); the last valid version stays in effect until the file is fixed. The resource carries condition SourceValid=False.', example: 'spec: {graph: {nodes: oops}}' },
  PS7007: { severity: 'error', title: 'Tree too deep', help: 'Directories nest deeper than the limit (64); deeper entries are ignored.', example: 'a/a/a/.../plan.yaml' },
  PS7008: { severity: 'error', title: 'Configuration file refused', help: 'A configuration file the agent reads from the tracked branch (.planspec/allowed-signers) is larger than its limit (256 KiB) or not UTF-8 text. It is not read: nobody is an allowed signer until it is fixed.', example: '.planspec/allowed-signers (2 MiB)' },
  PS7010: { severity: 'warning', title: 'Invalid status file', help: 'A file on the status branch is not a status document the agent wrote (edited by hand?). It is treated as absent and rewritten at the next reconcile.', example: 'status: [not, a, mapping]' },
  PS7011: { severity: 'warning', title: 'Invalid request file', help: 'A file under requests/ on the status branch is not a valid request (action, target, by). It is ignored.', example: 'action: approve-all' },
  PS7012: { severity: 'warning', title: 'Invalid lease file', help: 'A lease file on the status branch is not a valid lease. It is treated as absent, so the lease may be taken.', example: 'holder: 42' },
  PS7013: { severity: 'warning', title: 'Status written by no agent', help: 'A file on the status branch (outside requests/) was changed by a commit that carries no valid agent proof (DECISIONS §9): a hand edit, a forged lease, a replayed older version. Its content is ignored; the agents write their last proven version back and the resource gets condition StatusTampered.', example: 'git commit -m "approve" default/gates/release.yaml' },
} as const satisfies Record<string, CodeInfo>

/** A code of {@link GIT_STORE_CODES}. */
export type GitStoreCode = keyof typeof GIT_STORE_CODES

/**
 * Builds a whole-file diagnostic (line 1, column 1) with the code's default severity unless one
 * is given.
 */
export function gitDiagnostic(code: GitStoreCode | 'PS4002', file: string, message: string, extra: { severity?: Severity; kind?: string; name?: string } = {}): Diagnostic {
  const severity = extra.severity ?? (code === 'PS4002' ? 'error' : GIT_STORE_CODES[code].severity)
  return {
    code,
    severity,
    message,
    file,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    path: '',
    ...(extra.kind === undefined ? {} : { kind: extra.kind }),
    ...(extra.name === undefined ? {} : { name: extra.name }),
  }
}
