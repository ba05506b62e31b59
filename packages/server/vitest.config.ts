import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// The test files share one module graph per worker (isolate: false): each builds its own servers
// and stores, and loading fastify, better-sqlite3 and the validator once per worker instead of once
// per file keeps the suite inside its time budget on two cores.
// One throw-away PostgreSQL cluster serves the run (test/postgres-setup.ts); each file creates its own database.
export default defineConfig({ test: { ...sharedTestConfig, isolate: false, globalSetup: ['./test/postgres-setup.ts'] } })
