import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

export default defineConfig({
  test: {
    ...sharedTestConfig,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/generated/**', 'src/index.ts'],
      reporter: ['text-summary'],
      // Floors at the measured levels (2026-11-25), so coverage can only go up; the goal is 100%.
      thresholds: { statements: 92, branches: 85, functions: 95, lines: 95 },
    },
  },
})
