// What the benchmark's load generators share (run.ts, ab.ts): the bench workspace and its
// credentials, one autocannon run of a POST load, and the median of a few rounds.
import autocannon, { type Result } from 'autocannon'

export const BENCH_WORKSPACE_ID = 'BENCHWORKSPACE01'
export const BENCH_API_KEY = 'bench-data-api-key-0123456789'
export const BENCH_HEADERS = {
  'content-type': 'application/json',
  authorization: `Basic ${Buffer.from(`${BENCH_WORKSPACE_ID}:${BENCH_API_KEY}`).toString('base64')}`,
}

export type PostLoad = Readonly<{
  path: string
  /** The n-th request's body (n counts from 0 in each run). */
  body: (n: number) => string | Buffer
  /** Instead of BENCH_HEADERS (another family's credentials). */
  headers?: Readonly<Record<string, string>>
}>

/** `connections` closed-loop connections, no pipelining, for `seconds`. */
export function fire(
  url: string,
  load: PostLoad,
  options: Readonly<{ connections: number; seconds: number }>,
): Promise<Result> {
  let n = 0
  return Promise.resolve(
    autocannon({
      url,
      connections: options.connections,
      pipelining: 1,
      duration: options.seconds,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: load.path,
          headers: { ...(load.headers ?? BENCH_HEADERS) },
          setupRequest: (request) => ({ ...request, body: load.body(n++) }),
        },
      ],
    }),
  )
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}
