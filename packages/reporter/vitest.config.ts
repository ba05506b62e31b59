import { defineConfig } from 'vitest/config'
import { coverageConfig, FULL_COVERAGE, sharedTestConfig } from '../../vitest.shared.js'

// index.ts only re-exports and types.ts only declares types: neither has code to cover.
export default defineConfig({ test: { ...sharedTestConfig, coverage: coverageConfig(['src/index.ts', 'src/types.ts'], FULL_COVERAGE) } })
