/**
 * Wraps a freshness check so that it runs at most once per event-loop turn: the first call in a
 * turn runs `check`, later calls in the same turn return at once, and a `setImmediate` after the
 * turn's I/O callbacks (libuv's check phase) arms it again. A check that throws is not counted.
 *
 * Why that keeps reads fresh: a request is dispatched from the I/O callback that read it, after the
 * `epoll_wait` that reported its socket readable, so its first bytes (sent after the client saw
 * any commit it depends on) arrived before that poll returned; the turn's check runs after the
 * poll, hence after that commit. A request read in a later turn gets a later check.
 *
 * @example
 * const fresh = oncePerTurn(() => store.catchUpNow?.())
 * fresh() // runs the check
 * fresh() // same turn: nothing to do
 */
export function oncePerTurn(check: () => void): () => void {
  let checked = false
  const rearm = (): void => {
    checked = false
  }
  return () => {
    if (checked) return
    check()
    checked = true
    setImmediate(rearm)
  }
}
