import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../vitest.shared.js'

// The workspace root hoists ajv 6 (an eslint dependency), and this package declares no ajv of its
// own. The schemas need ajv 8 (draft 2020-12), the version ajv-formats 3 depends on, so `ajv` is
// resolved from ajv-formats: tests and ajv-formats then share one ajv copy.
const require = createRequire(import.meta.url)
const ajvDir = dirname(createRequire(require.resolve('ajv-formats')).resolve('ajv/package.json'))

export default defineConfig({
  resolve: { alias: [{ find: /^ajv(?=\/|$)/, replacement: ajvDir }] },
  test: { ...sharedTestConfig },
})
