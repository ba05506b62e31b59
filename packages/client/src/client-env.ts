/** Where a client runs: the working directory and the environment (git config, credentials). */
export interface ClientEnv {
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
}
