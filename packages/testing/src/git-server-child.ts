// The entry point of the process `startGitServerProcess` forks: runs `startGitServer` and obeys
// the parent's messages (down, up, sync, close), reporting its traffic counters with every reply.
import { startGitServer, type OutageMode } from './start-git-server.js'

interface Command {
  readonly op: 'down' | 'up' | 'sync' | 'close'
  readonly id: number
  readonly mode?: OutageMode
}

const send = (message: unknown): void => {
  process.send?.(message)
}

try {
  const server = await startGitServer(JSON.parse(process.argv[2] ?? '{}'))
  process.on('message', async (command: Command) => {
    if (command.op === 'down') await server.down(command.mode)
    else if (command.op === 'up') await server.up()
    else if (command.op === 'close') await server.close()
    send({ type: 'stats', stats: server.stats })
    send({ type: 'done', id: command.id })
    if (command.op === 'close') process.disconnect()
  })
  process.on('disconnect', () => {
    void server.close().then(() => process.exit(0))
  })
  send({ type: 'ready', port: server.port })
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
  process.exit(1)
}
