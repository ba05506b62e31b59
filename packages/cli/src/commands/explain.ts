import { explain } from '@planspec/client'
import { EXIT, type CommandIO } from '../io.js'

/**
 * Runs `planspec explain KIND[.field.path]` (or `planspec explain PS3001`): prints a field's
 * documentation from the schemas, like `kubectl explain`, or a diagnostic code's documentation.
 */
export async function runExplain(target: string, options: { recursive: boolean }, io: CommandIO): Promise<number> {
  io.stdout.write(explain(target, options))
  return EXIT.ok
}
