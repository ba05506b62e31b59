export { runCli } from './main.js'
export type { CommandIO } from './io.js'
export { EXIT, UsageError } from './io.js'
export { explain } from '@planspec/client'
