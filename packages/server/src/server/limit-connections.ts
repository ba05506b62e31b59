import type { Server as NetServer } from 'node:net'

/**
 * Closes a new connection at once when its client address already holds `max` open ones (THREATS:
 * a slow-loris from one address must not exhaust the server's sockets).
 */
export function limitConnections<S extends NetServer>(server: S, max: number): S {
  const open = new Map<string, number>()
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown'
    const count = (open.get(address) ?? 0) + 1
    if (count > max) return void socket.destroy()
    open.set(address, count)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left <= 0) open.delete(address)
      else open.set(address, left)
    })
  })
  return server
}
