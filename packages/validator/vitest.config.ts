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
    },
  },
})
