import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// The browser scenarios start real `planspec serve` and agent processes and a real Chromium: one file at a time.
// Polls of the page wait up to a minute: the machine running them is shared and often loaded.
export default defineConfig({ test: { ...sharedTestConfig, testTimeout: 180_000, hookTimeout: 120_000, fileParallelism: false, expect: { poll: { timeout: 60_000, interval: 100 } } } })
