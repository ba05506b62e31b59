import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const VENDOR = join(dirname(fileURLToPath(import.meta.url)), '../../vendor')
const require = createRequire(import.meta.url)

/** One problem a SARIF consumer found: the rule it broke and its message. */
export interface SarifProblem {
  readonly rule: string
  readonly level: string
  readonly message: string
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null }
let schemaValidator: Validate | undefined

/**
 * Validates a SARIF log against the official OASIS SARIF 2.1.0 JSON schema (vendored, draft-04).
 * Returns the schema errors as readable strings; empty when the log is valid.
 */
export function checkSarifSchema(log: unknown): string[] {
  // ajv-draft-04 is CommonJS; its default export is the Ajv class for draft-04 schemas.
  const Ajv = require('ajv-draft-04') as new (options: object) => { compile(schema: unknown): Validate }
  schemaValidator ??= new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(JSON.parse(readFileSync(join(VENDOR, 'sarif-schema-2.1.0.json'), 'utf8')))
  const validate = schemaValidator
  if (validate(log)) return []
  return (validate.errors ?? []).map((e) => {
    const error = e as { instancePath?: string; message?: string; params?: unknown }
    return `${error.instancePath || '/'}: ${error.message} ${JSON.stringify(error.params)}`
  })
}

/**
 * Runs the SARIF Multitool's `validate` on a SARIF text with the rule kinds given (default
 * `Ghas;Sarif`: GitHub Advanced Security's ingestion rules plus the SARIF spec's own) and returns
 * every result it reports. The Multitool is Microsoft's .NET tool, run as a child process (argv,
 * no shell) from its npm package.
 */
export function runSarifMultitool(text: string, ruleKinds = 'Ghas;Sarif'): SarifProblem[] {
  const binary = join(dirname(require.resolve('@microsoft/sarif-multitool-linux/package.json')), 'Sarif.Multitool')
  if ((statSync(binary).mode & 0o100) === 0) chmodSync(binary, 0o755)
  const dir = mkdtempSync(join(tmpdir(), 'planspec-sarif-'))
  try {
    writeFileSync(join(dir, 'input.sarif'), text)
    const run = spawnSync(binary, ['validate', join(dir, 'input.sarif'), '--rule-kind', ruleKinds, '-o', join(dir, 'out.sarif'), '--log', 'ForceOverwrite', '--quiet'], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
      timeout: 180_000,
    })
    if (run.error !== undefined) throw run.error
    const out = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')) as { runs: { results?: { ruleId: string; level?: string; message: { text?: string; id?: string; arguments?: string[] } }[]; tool: { driver: { rules?: { id: string; messageStrings?: Record<string, { text: string }> }[] } } }[] }
    const run0 = out.runs[0]
    if (run0 === undefined) throw new Error(`the Multitool wrote no run (exit ${run.status}): ${run.stdout}${run.stderr}`)
    return (run0.results ?? []).map((r) => {
      const rule = run0.tool.driver.rules?.find((x) => x.id === r.ruleId)
      const template = r.message.id === undefined ? undefined : rule?.messageStrings?.[r.message.id]?.text
      const message = r.message.text ?? template?.replace(/\{(\d+)\}/g, (_, i: string) => r.message.arguments?.[Number(i)] ?? '') ?? ''
      return { rule: r.ruleId, level: r.level ?? 'warning', message }
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
