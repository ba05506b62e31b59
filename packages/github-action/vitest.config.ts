import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// The fake GitHub (packages/github/test/support) loads GitHub's 13 MB OpenAPI description once
// per process: files share a worker so it is read and compiled once, not once per file.
export default defineConfig({ test: { ...sharedTestConfig, isolate: false } })
