// Characters some file systems ignore when comparing names (HFS+ and NTFS), which would let
// ".g\u200cit" or ".git." stand for ".git" (git's own verify_path checks the same).
const IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * Tells why a tree entry name is unsafe, or returns undefined when it is safe: empty, "." or "..",
 * a "/" or "\\" (an absolute or multi-segment name), a NUL or control character, a drive letter
 * ("C:"), a ".git" component in any letter case (also ".git." and its 8.3 short name "git~1"),
 * or longer than 255 bytes (THREATS T10).
 */
export function unsafeNameReason(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'is empty, "." or ".."'
  if (name.includes('/') || name.includes('\\')) return 'holds a path separator'
  if (CONTROL.test(name)) return 'holds a NUL or control character'
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter'
  const folded = name.replace(IGNORABLE, '').toLowerCase()
  if (/^\.git[. ]*$/.test(folded) || /^git~\d+$/.test(folded)) return 'is a .git component'
  if (Buffer.byteLength(name) > 255) return 'is longer than 255 bytes'
  return undefined
}

/** Shows a raw entry name with control characters escaped, for paths in diagnostics. */
export function displayName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
