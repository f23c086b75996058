// The baseline server: bare node:http that reads the body, checks it is UTF-8 JSON holding an object
// (as Inlet's body parser does) and answers Inlet's success envelope. Run as a child process by
// bench/run.ts; prints its URL on stdout. Nothing else: no auth, no validation, no store.
import { isUtf8 } from 'node:buffer'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

const MESSAGE = 'Your request has been accepted and will be processed soon.'
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function requestId(): string {
  let id = ''
  for (let i = 0; i < 8; i++) id += LETTERS[Math.floor(Math.random() * LETTERS.length)]
  return id
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    let parsed: unknown
    try {
      parsed = isUtf8(body) ? JSON.parse(body.toString('utf8')) : undefined
    } catch {
      parsed = undefined
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      answer(res, 400, { status: 'fail', error: { message: 'bad body', type: 'Bad Request' } })
      return
    }
    answer(res, 200, { status: 'success', message: MESSAGE, request_id: requestId() })
  })
})

server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo // a TCP listener always has an AddressInfo
  process.stdout.write(`baseline listening on http://127.0.0.1:${port}\n`)
})
process.once('SIGTERM', () => server.close(() => process.exit(0)))
