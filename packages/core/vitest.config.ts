import { defineConfig } from 'vitest/config'
import { coverageConfig, FULL_COVERAGE, sharedTestConfig } from '../../vitest.shared.js'

export default defineConfig({
  test: { ...sharedTestConfig, coverage: coverageConfig(['src/model/**', 'src/index.ts', 'src/**/*-types.ts', 'src/diagnostic.ts'], FULL_COVERAGE) },
})
