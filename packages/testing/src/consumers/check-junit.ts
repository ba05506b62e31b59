import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const VENDOR = join(dirname(fileURLToPath(import.meta.url)), '../../vendor')

/** SchemaStore's schema of action.yml (what editors and `action-validator` check actions with). */
export const GITHUB_ACTION_SCHEMA = join(VENDOR, 'github-action.schema.json')

/** The JUnit XML schemas CI servers read: Jenkins' (xunit-plugin) and the strict Apache Ant one. */
export const JUNIT_SCHEMAS = {
  jenkins: join(VENDOR, 'jenkins-junit-10.xsd'),
  ant: join(VENDOR, 'ant-junit.xsd'),
} as const

/**
 * Validates an XML document against an XSD with libxml2's `xmllint --schema` (argv, no shell;
 * the document on stdin). Returns xmllint's complaints; empty when the document is valid.
 */
export function checkXmlSchema(xml: string, xsd: string): string[] {
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, '-'], { input: xml, encoding: 'utf8', timeout: 60_000 })
  if (run.error !== undefined) throw run.error
  if (run.status === 0) return []
  return run.stderr.split('\n').filter((line) => line !== '' && !line.endsWith('validates') && !line.endsWith('fails to validate'))
}
