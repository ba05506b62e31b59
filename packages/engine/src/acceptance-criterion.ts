/** Fields every acceptance criterion has (RESOURCES §2.9). */
export interface AcceptanceCriterionCommon {
  name: string
  /** Stable handle; {@link runAcceptanceCriteria} derives `criterion-<index>` when absent. */
  id?: string
  description?: string
  /** Default `true`; `false` is advisory and never blocks. */
  required?: boolean
  /** Go-style duration; exceeding it is a failure. */
  timeout?: string
  extensions?: Readonly<Record<string, unknown>>
}

/** A Task acceptance criterion: one of the five variants of RESOURCES §2.9. */
export type AcceptanceCriterion =
  | (AcceptanceCriterionCommon & { type: 'artifact_exists'; path: string; contentMatch?: string })
  | (AcceptanceCriterionCommon & { type: 'test_passes'; command: string; args?: readonly string[]; expectedExitCode?: number })
  | (AcceptanceCriterionCommon & {
      type: 'endpoint_responds'
      url: string
      method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'PATCH'
      expectedStatus?: number
      bodyMatch?: string
    })
  | (AcceptanceCriterionCommon & {
      type: 'command_succeeds'
      command: string
      args?: readonly string[]
      expectedExitCode?: number
      outputMatch?: string
    })
  | (AcceptanceCriterionCommon & {
      type: 'custom'
      webhookUrl: string
      expectedResponse: { statusCode?: number; bodyMatch?: string }
      payload?: Readonly<Record<string, unknown>>
    })

/**
 * Why a criterion did not pass. `Timeout`: over its `timeout`. `Cancelled`: the run's signal
 * aborted. `InvalidCriterion`: bad duration or regex. `PathEscape`: the path leaves the workspace
 * (absolute, `..`, or a symlink whose real path is outside). `NotFound`, `NotAFile`: the artifact.
 * `NoMatch`: a content/output/body pattern did not match. `ExitCode`, `StatusMismatch`: wrong exit
 * code or HTTP status. `NotAllowed`, `Refused`, `HttpError`, `OutputTooLarge`, `Crashed`: as for
 * providers.
 */
export type CriterionFailureReason =
  | 'Timeout'
  | 'Cancelled'
  | 'InvalidCriterion'
  | 'PathEscape'
  | 'NotFound'
  | 'NotAFile'
  | 'NoMatch'
  | 'ExitCode'
  | 'StatusMismatch'
  | 'NotAllowed'
  | 'Refused'
  | 'HttpError'
  | 'OutputTooLarge'
  | 'Crashed'

/** The verdict on one criterion. `reason` is set when `passed` is false. */
export interface CriterionResult {
  id: string
  name: string
  type: AcceptanceCriterion['type']
  passed: boolean
  required: boolean
  reason?: CriterionFailureReason
  /** Human-readable, redacted; never holds a response body or file content. */
  message: string
}
