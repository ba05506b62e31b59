/**
 * Reads the system clock, in milliseconds since the epoch: the default of every `now` option of
 * git-store. The only place the package reads the time (a lint rule keeps it so); callers inject
 * their own clock (`now`) to make times deterministic.
 */
export function systemClock(): number {
  return Date.now()
}
