/**
 * A real HTTP proxy (node:http on 127.0.0.1, port 0) in front of a running Inlet, for the client
 * SDK's tests: it forwards each request as it came and answers with Inlet's answer, records every
 * exchange (method, path, body bytes, status, the rate-limit headers), and lets a test answer a
 * request itself instead — a 5xx, or no answer at all (the socket destroyed). Closed when the
 * test ends.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

export type Exchange = Readonly<{
  method: string
  path: string
  body: string
  bytes: number
  status: number | 'dropped'
  headers: Readonly<Record<string, string>>
}>

/** What the proxy does with the request numbered `n` (from 1): forward it, or answer it itself. */
export type Fault = { status: number; body: unknown; headers?: Record<string, string> } | 'drop'

export type FaultProxy = Readonly<{
  baseUrl: string
  exchanges: Exchange[]
  /** Set per test: a fault for the n-th request (1-based), or undefined to forward it. */
  fault: { of: (n: number, request: { method: string; path: string }) => Fault | undefined }
}>

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length'])

export async function startFaultProxy(t: TestContext, target: string): Promise<FaultProxy> {
  const exchanges: Exchange[] = []
  const fault: FaultProxy['fault'] = { of: () => undefined }
  let count = 0
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readAll(request)
      const method = request.method ?? 'GET'
      const path = request.url ?? '/'
      const record = (status: number | 'dropped', headers: Record<string, string>) =>
        exchanges.push({
          method,
          path,
          body: body.toString('utf8'),
          bytes: body.length,
          status,
          headers,
        })
      const planned = fault.of(++count, { method, path })
      if (planned === 'drop') {
        record('dropped', {})
        request.socket.destroy()
        return
      }
      if (planned !== undefined) {
        const headers = { 'content-type': 'application/json', ...planned.headers }
        record(planned.status, headers)
        response.writeHead(planned.status, headers).end(JSON.stringify(planned.body))
        return
      }
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && !HOP_BY_HOP.has(name) && name !== 'host') {
          headers[name] = value
        }
      }
      const answer = await fetch(`${target}${path}`, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
      })
      const text = await answer.text()
      const out: Record<string, string> = {}
      answer.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') out[name] = value
      })
      record(answer.status, out)
      response.writeHead(answer.status, out).end(text)
    })().catch((err: unknown) => {
      response.writeHead(502).end(String(err))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  const { port } = server.address() as AddressInfo // listening on TCP
  return { baseUrl: `http://127.0.0.1:${port}`, exchanges, fault }
}
