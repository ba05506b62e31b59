/**
 * Shared vitest settings: every package writes a JSON report that tools/test-summary.mjs sums
 * into the single `N passed, N failed` line CI reads.
 */
import type { ViteUserConfig } from 'vitest/config'

export const sharedTestConfig: NonNullable<ViteUserConfig['test']> = {
  include: ['test/**/*.test.ts'],
  reporters: ['default', 'json'],
  outputFile: { json: 'test-results.json' },
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks',
}

/** Full coverage: the bar for the pure packages (STYLE: core, validator, reporter rendering). */
export const FULL_COVERAGE = { branches: 100, functions: 100, lines: 100, statements: 100 }

/**
 * The coverage settings every package uses: v8 over `src/**`, minus files with no code to cover
 * (re-export indexes, type declarations, generated code), held to `thresholds`.
 */
export function coverageConfig(exclude: string[], thresholds: Record<string, number>): NonNullable<NonNullable<ViteUserConfig['test']>['coverage']> {
  return { provider: 'v8', include: ['src/**/*.ts'], exclude, thresholds, reporter: ['text-summary'] }
}
