import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// Files share their worker processes (no per-file re-import of isomorphic-git, the validator and
// the engine): each file cleans up after its own tests (test/helpers.ts `cleanup`). The shared
// git servers serve from one directory that the global setup removes at the end of the run.
export default defineConfig({ test: { ...sharedTestConfig, isolate: false, globalSetup: ['test/global-setup.ts'] } })
