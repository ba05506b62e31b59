/**
 * Reads the system clock, in milliseconds since the epoch: the default `now` of the agent's
 * composition (`createAgent`, `createResourceView`). The only place the package reads the time (a
 * lint rule keeps it so); everything else gets the clock injected.
 */
export function systemClock(): number {
  return Date.now()
}
