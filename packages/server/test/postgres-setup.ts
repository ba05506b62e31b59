// Starts one throw-away PostgreSQL cluster for the package's test run (every test file creates
// its own database in it). Tests fail, not skip, when PostgreSQL cannot be started.
import type { TestProject } from 'vitest/node'
import { startPostgres } from '@planspec/testing'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared cluster: `postgres://postgres@127.0.0.1:PORT/` + database, and the superuser's password. */
    postgres: { readonly url: string; readonly password: string; readonly port: number }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPostgres()
  project.provide('postgres', { url: cluster.url(''), password: cluster.password, port: cluster.port })
  return () => cluster.close()
}
