// The baseline of the server benchmark: a bare node:http (or node:https) process that answers each
// path of a manifest with the bytes `planspec serve` answered it with, and nothing else: no
// authentication, no routing beyond a map lookup, no logging. Usage:
//   node tools/bench/bare-server.mjs MANIFEST.json
// where the manifest is { "responses": { "/path?query": "file" }, "tls"?: { "cert", "key" } }
// (PEM strings). It prints one JSON line `{ "url": "http(s)://127.0.0.1:PORT" }` once listening.
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'

const manifest = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const responses = new Map(Object.entries(manifest.responses).map(([path, file]) => [path, readFileSync(file)]))
const handler = (req, res) => {
  const body = responses.get(req.url)
  if (body === undefined) {
    res.writeHead(404, { 'content-length': 0 })
    return res.end()
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length })
  res.end(body)
}
const server = manifest.tls === undefined ? http.createServer(handler) : https.createServer({ cert: manifest.tls.cert, key: manifest.tls.key }, handler)
server.keepAliveTimeout = 72_000
server.listen(0, '127.0.0.1', () => {
  const scheme = manifest.tls === undefined ? 'http' : 'https'
  process.stdout.write(`${JSON.stringify({ url: `${scheme}://127.0.0.1:${server.address().port}` })}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
