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
