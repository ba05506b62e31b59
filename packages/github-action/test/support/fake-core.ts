import type { ActionCore, AnnotationProperties } from '../../src/index.js'

/** One annotation or message the Action wrote. */
export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice'
  readonly message: string
  readonly properties?: AnnotationProperties
}

/** A recording stand-in for @actions/core: inputs in, outputs, annotations, summary and failure out. */
export interface FakeCore extends ActionCore {
  readonly inputs: Map<string, string>
  readonly outputs: Map<string, string>
  readonly annotations: Annotation[]
  readonly infos: string[]
  readonly secrets: string[]
  /** The job summary as written (empty until `write()`). */
  summaryText: string
  readonly failures: string[]
  /** Makes `summary.write()` reject, as @actions/core does without `GITHUB_STEP_SUMMARY`. */
  summaryFails: boolean
}

export function createFakeCore(inputs: Record<string, string> = {}): FakeCore {
  let buffer = ''
  const core: FakeCore = {
    inputs: new Map(Object.entries(inputs)),
    outputs: new Map(),
    annotations: [],
    infos: [],
    secrets: [],
    summaryText: '',
    failures: [],
    summaryFails: false,
    getInput(name, options) {
      const value = core.inputs.get(name) ?? ''
      if (options?.required === true && value === '') throw new Error(`Input required and not supplied: ${name}`)
      return options?.trimWhitespace === false ? value : value.trim()
    },
    setOutput: (name, value) => void core.outputs.set(name, value),
    setFailed: (message) => void core.failures.push(typeof message === 'string' ? message : message.message),
    setSecret: (secret) => void core.secrets.push(secret),
    error: (message, properties) => void core.annotations.push({ level: 'error', message: String(message), ...(properties === undefined ? {} : { properties }) }),
    warning: (message, properties) => void core.annotations.push({ level: 'warning', message: String(message), ...(properties === undefined ? {} : { properties }) }),
    notice: (message, properties) => void core.annotations.push({ level: 'notice', message: String(message), ...(properties === undefined ? {} : { properties }) }),
    info: (message) => void core.infos.push(message),
    summary: {
      addRaw(text, addEOL) {
        buffer += addEOL === true ? `${text}\n` : text
        return core.summary
      },
      async write() {
        if (core.summaryFails) throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY')
        core.summaryText += buffer
        buffer = ''
        return core.summary
      },
    },
  }
  return core
}
