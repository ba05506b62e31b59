import picomatch from 'picomatch'
import { REPOSITORY_CONFIG_FILE } from './repository-config.js'

/** Directories no mode ever looks into (THREATS T10: VCS data, dependencies, build output). */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['.git', 'node_modules', '.nx', 'dist'])

/** How much of a file the sniff reads: an apiVersion further down does not make a manifest. */
export const SNIFF_BYTES = 64 * 1024

/**
 * Why a file is not a PlanSpec document: `skipped-directory` (under one of
 * {@link SKIPPED_DIRECTORIES}), `config-file` (a `.planspec.yaml`), `not-yaml` (no `.yaml`/`.yml`
 * extension), `not-in-paths` (matches none of `paths`), `excluded` (matches `exclude` or a `!`
 * pattern of `paths`), `not-planspec` (its text names no `planspec.io/` apiVersion).
 */
export type SkipReason = 'skipped-directory' | 'config-file' | 'not-yaml' | 'not-in-paths' | 'excluded' | 'not-planspec'

/** The path rules of one repository config: which files are candidates, and why the others are not. */
export interface FileSelection {
  /** Returns why `path` (`/`-separated, relative to the config's folder) is not a candidate, or `undefined` when it is. */
  skipReason(path: string): SkipReason | undefined
  /** Tells whether a walk should enter the directory `path` (false for the skipped directories). */
  entersDirectory(path: string): boolean
  /**
   * True without (positive) `paths`: only candidates whose text names a `planspec.io/` apiVersion
   * are documents (DECISIONS §6). False when `paths` chose the files: every candidate is a
   * document, and one that is not PlanSpec is reported, not skipped.
   */
  readonly sniffs: boolean
}

/** A file a mode found, with its bytes when it read them (the sniff needs them). */
export interface CandidateFile {
  readonly path: string
  readonly bytes?: Uint8Array
}

/** The outcome of {@link selectFiles}: the chosen paths in input order, and every other path with its reason. */
export interface SelectedFiles {
  readonly selected: readonly string[]
  readonly skipped: readonly { readonly path: string; readonly reason: SkipReason }[]
}

const YAML_FILE = /\.ya?ml$/i
// `apiVersion: planspec.io/...` in block or flow style, quoted or not.
const PLANSPEC_API_VERSION = /(?:^|[\s{,])["']?apiVersion["']?\s*:\s*["']?planspec\.io\//m

/** Rewrites a pattern of `paths`/`exclude` into picomatch's dialect: `./x` is `x`, `/x` is `x`, `dir/` is everything below `dir`. */
function normalizeGlob(glob: string): string {
  let pattern = glob.trim().replace(/^(?:\.\/|\/)+/, '')
  if (pattern.endsWith('/')) pattern += '**'
  return pattern
}

/** Compiles patterns with the one set of options every mode uses: wildcards never match a leading dot. */
function compile(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false
  return picomatch(patterns.map(normalizeGlob), { dot: false })
}

/**
 * Creates the file selection of a repository config, the same in the CLI, the agent and the
 * Action: picomatch globs relative to the folder of `.planspec.yaml` (`*` and `?` stay within a
 * segment, `**` spans segments, `{a,b}` and `[ab]` alternate, wildcards skip dot files unless the
 * pattern spells the dot), `dir/` meaning everything below `dir`, and a `!pattern` in `paths`
 * excluding like `exclude`. Without (positive) `paths` the pattern is `**` (every file that is not
 * a dot file or in a dot folder). Whatever the globs say, a
 * candidate is a `.yaml`/`.yml` file (any case) outside {@link SKIPPED_DIRECTORIES} that is not a
 * `.planspec.yaml`. Without `paths` the sniff decides which candidates are documents; with them,
 * every candidate is (see {@link FileSelection.sniffs}). Pure: callers walk their own trees (a
 * folder, a git tree, a checkout).
 *
 * @example
 * const selection = createFileSelection({ paths: ['plans/{a,b}.yaml'] })
 * selection.skipReason('plans/a.yaml') // undefined
 * selection.skipReason('plans/c.yaml') // 'not-in-paths'
 */
export function createFileSelection(config: { readonly paths?: readonly string[]; readonly exclude?: readonly string[] }): FileSelection {
  const paths = config.paths ?? []
  const positive = paths.filter((p) => !p.startsWith('!'))
  const include = compile(positive.length > 0 ? positive : ['**'])
  const exclude = compile([...paths.filter((p) => p.startsWith('!')).map((p) => p.slice(1)), ...(config.exclude ?? [])])
  return {
    skipReason(path) {
      const segments = path.split('/')
      if (segments.slice(0, -1).some((s) => SKIPPED_DIRECTORIES.has(s))) return 'skipped-directory'
      const name = segments[segments.length - 1]!
      if (name === REPOSITORY_CONFIG_FILE) return 'config-file'
      if (!YAML_FILE.test(name)) return 'not-yaml'
      if (!include(path)) return 'not-in-paths'
      if (exclude(path)) return 'excluded'
      return undefined
    },
    entersDirectory(path) {
      return !path.split('/').some((s) => SKIPPED_DIRECTORIES.has(s))
    },
    sniffs: positive.length === 0,
  }
}

/**
 * Tells whether bytes hold a PlanSpec document: their first {@link SNIFF_BYTES} name a
 * `planspec.io/` apiVersion (block or flow style, quoted or not) (DECISIONS §6). The one sniff of
 * every mode; it never parses.
 *
 * @example
 * isPlanSpecDocument(Buffer.from('apiVersion: planspec.io/v1alpha1\nkind: Goal\n')) // true
 * isPlanSpecDocument(Buffer.from('name: CI\non: push\n'))                            // false
 */
export function isPlanSpecDocument(bytes: Uint8Array): boolean {
  return namesPlanSpecApiVersion(new TextDecoder('utf-8').decode(bytes.subarray(0, SNIFF_BYTES)))
}

/**
 * Tells whether text names a `planspec.io/` apiVersion: {@link isPlanSpecDocument} on text already
 * decoded (the same answer for the text of at most {@link SNIFF_BYTES} bytes of valid UTF-8).
 *
 * @example
 * namesPlanSpecApiVersion('{"apiVersion": "planspec.io/v1alpha1"}') // true
 */
export function namesPlanSpecApiVersion(text: string): boolean {
  return PLANSPEC_API_VERSION.test(text)
}

/**
 * Splits candidate files into the PlanSpec documents and the skipped ones, each with its reason:
 * the path rules of `selection` first, then, when the selection sniffs and the file comes with
 * its bytes, {@link isPlanSpecDocument}. Files given without bytes (too big to read, say) are
 * judged by their path alone.
 *
 * @example
 * selectFiles([{ path: 'plans/a.yaml', bytes }, { path: 'README.md' }], createFileSelection({}))
 * // { selected: ['plans/a.yaml'], skipped: [{ path: 'README.md', reason: 'not-yaml' }] }
 */
export function selectFiles(files: Iterable<CandidateFile>, selection: FileSelection): SelectedFiles {
  const selected: string[] = []
  const skipped: { path: string; reason: SkipReason }[] = []
  for (const file of files) {
    const reason = selection.skipReason(file.path) ?? (selection.sniffs && file.bytes !== undefined && !isPlanSpecDocument(file.bytes) ? 'not-planspec' : undefined)
    if (reason === undefined) selected.push(file.path)
    else skipped.push({ path: file.path, reason })
  }
  return { selected, skipped }
}
