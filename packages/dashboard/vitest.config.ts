import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// The browser scenarios start real `planspec serve` and agent processes and a real Chromium: one file at a time.
export default defineConfig({ test: { ...sharedTestConfig, testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false } })
