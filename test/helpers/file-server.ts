/**
 * A real local HTTP server for file-segment tests: serves CSV files (or failures, in the order a
 * test queues them) on 127.0.0.1 and records the callbacks posted to it. Closed after the test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

/** One answer to a GET: a status and a body, or a handler of its own. */
export type Answer =
  | Readonly<{ status: number; body?: string }>
  | ((req: IncomingMessage, res: ServerResponse) => void)

export type FileServer = Readonly<{
  /** The base URL, `http://127.0.0.1:<port>`. */
  url: string
  /** Serves `body` at `path` (a CSV), after the queued answers of the path are used up. */
  serve(path: string, body: string): void
  /** Answers the next GET of `path` with `answer` (queued in order, before the file). */
  queue(path: string, ...answers: Answer[]): void
  /** GETs received per path. */
  gets(path: string): number
  /** The JSON bodies POSTed to `path`, in order. */
  callbacks(path: string): unknown[]
  /** Answers the next POSTs of `path` with these statuses (then 200). */
  failCallbacks(path: string, ...statuses: number[]): void
}>

export async function startFileServer(t: TestContext): Promise<FileServer> {
  const files = new Map<string, string>()
  const queued = new Map<string, Answer[]>()
  const gets = new Map<string, number>()
  const posted = new Map<string, unknown[]>()
  const callbackFailures = new Map<string, number[]>()
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    if (req.method === 'POST') {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const status = callbackFailures.get(path)?.shift() ?? 200
        posted.set(path, [
          ...(posted.get(path) ?? []),
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        ])
        res.statusCode = status
        res.end()
      })
      return
    }
    gets.set(path, (gets.get(path) ?? 0) + 1)
    const next = queued.get(path)?.shift()
    if (typeof next === 'function') return next(req, res)
    if (next !== undefined) {
      res.statusCode = next.status
      return res.end(next.body ?? '')
    }
    const file = files.get(path)
    if (file === undefined) {
      res.statusCode = 404
      return res.end()
    }
    res.setHeader('content-type', 'text/csv')
    res.end(file)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as AddressInfo // a TCP listener
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (path, body) => void files.set(path, body),
    queue: (path, ...answers) => void queued.set(path, [...(queued.get(path) ?? []), ...answers]),
    gets: (path) => gets.get(path) ?? 0,
    callbacks: (path) => posted.get(path) ?? [],
    failCallbacks: (path, ...statuses) => void callbackFailures.set(path, statuses),
  }
}
