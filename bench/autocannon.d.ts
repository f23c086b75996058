// Type declarations for the part of autocannon's programmatic API the benchmark uses (the package
// ships no types): options, per-request setup, and the result with its histograms.
declare module 'autocannon' {
  export type Histogram = {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    p99_9: number
  }

  export type RawRequest = {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
  }

  export type Request = RawRequest & {
    setupRequest?: (request: RawRequest, context: Record<string, unknown>) => RawRequest
  }

  export type Options = {
    url: string
    connections?: number
    pipelining?: number
    duration?: number
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    requests?: Request[]
    title?: string
  }

  export type Result = {
    title?: string
    url: string
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    duration: number
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    resets: number
    '2xx': number
    statusCodeStats: Record<string, { count: number }>
    start: Date
    finish: Date
  }

  type Instance = PromiseLike<Result> & { stop(): void }

  function autocannon(options: Options): Instance
  export default autocannon
}
