/**
 * Turns a file name into a repository-relative path with forward slashes: backslashes become
 * `/` and leading `./` segments are dropped. Absolute paths stay absolute.
 */
export function toRepoPath(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '')
}
