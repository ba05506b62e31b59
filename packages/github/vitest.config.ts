import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// The fake GitHub loads GitHub's 13 MB OpenAPI description once per process: files share a
// worker (no per-file isolation) so it is read and compiled once per worker, not once per file.
export default defineConfig({ test: { ...sharedTestConfig, isolate: false } })
