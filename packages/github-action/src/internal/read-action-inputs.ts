import type { ActionCore } from '../action-types.js'

/** The Action's inputs (action.yml), checked. */
export interface ActionInputs {
  /** Globs of manifest files, relative to the workspace; empty: `.planspec.yaml` `paths`, else every `*.yaml`/`*.yml`. */
  readonly paths: readonly string[]
  /** Where to write SARIF, relative to the workspace; empty: none. */
  readonly sarifFile?: string
  readonly comment: boolean
  readonly compat: boolean
  readonly closed: boolean
  readonly failOnWarnings: boolean
}

/** An input that is not what action.yml documents. */
export class ActionInputError extends Error {
  override readonly name = 'ActionInputError'
}

/** Reads and checks the inputs; throws {@link ActionInputError} on a bad boolean or path. */
export function readActionInputs(core: ActionCore): ActionInputs {
  const flag = (name: string, fallback: boolean): boolean => {
    const value = core.getInput(name).trim().toLowerCase()
    if (value === '') return fallback
    if (value === 'true') return true
    if (value === 'false') return false
    throw new ActionInputError(`input ${name} must be true or false, not "${value.slice(0, 40)}"`)
  }
  const paths = core
    .getInput('paths')
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
  const sarif = core.getInput('sarif-file').trim()
  for (const path of [...paths, ...(sarif === '' ? [] : [sarif])]) {
    if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split(/[\\/]/).includes('..') || path.includes('\0')) {
      throw new ActionInputError(`paths must stay inside the workspace: "${path.slice(0, 80)}"`)
    }
  }
  return {
    paths,
    ...(sarif === '' ? {} : { sarifFile: sarif }),
    comment: flag('comment', true),
    compat: flag('compat', false),
    closed: flag('closed', false),
    failOnWarnings: flag('fail-on-warnings', false),
  }
}
