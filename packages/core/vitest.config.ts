import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

export default defineConfig({
  test: {
    ...sharedTestConfig,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/model/**', 'src/index.ts', 'src/**/*-types.ts', 'src/diagnostic.ts'],
      thresholds: { branches: 100, functions: 100, lines: 100, statements: 100 },
      reporter: ['text-summary'],
    },
  },
})
