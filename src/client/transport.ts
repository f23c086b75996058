/**
 * One API request, start to finish: paced (pacer.ts), sent with `fetch`, its answer read, and
 * retried as the policy says (retry.ts): 5xx answers and requests without an answer after a
 * backoff (a 5xx's `Retry-After`, when longer, wins), 429s once the quota's wait is over. What it
 * finally answers is the parsed body of a 2xx, or a thrown DataApiError / NetworkError whose
 * `attempts` says how many requests were made. Nothing here is Node-only: `fetch`, `Headers`,
 * `AbortSignal.timeout` and `btoa` are in every runtime the client supports.
 */
import { NetworkError, errorFromAnswer, type DataApiError } from './errors.js'
import type { Pacer, Timing } from './pacer.js'
import { backoffMs, type RetryPolicy } from './retry.js'

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export type TransportOptions = Readonly<{
  baseUrl: string
  /** The `Authorization` header of Basic-auth requests, and the workspace it names. */
  authorization: string
  workspaceId: string
  fetch: FetchLike
  timing: Timing
  random: () => number
  retry: RetryPolicy
  pacer: Pacer
  /** Longest wait for one answer before it counts as a request without one. */
  timeoutMs: number
}>

export type ApiRequest = Readonly<{
  method: 'GET' | 'POST'
  /** Path and query, from the base URL. */
  path: string
  /** Sent as JSON; or a body already serialised (Bulk Import). */
  body?: unknown
  json?: string
  /** Basic auth (every Data endpoint but Install info). */
  auth: boolean
  headers?: Readonly<Record<string, string>>
  /** The quota the request spends (pacer.ts) and how many units; none for unmetered endpoints. */
  quota?: { name: string; units: number }
}>

/** The UTF-8 bytes of `text` (what it weighs in a body), without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/** `Basic base64(user:secret)` of UTF-8 text (btoa alone takes Latin-1 only). */
export function basicAuthorization(user: string, secret: string): string {
  const bytes = new TextEncoder().encode(`${user}:${secret}`)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return `Basic ${btoa(binary)}`
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  if (text === '') return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

export type Transport = Readonly<{ send<T>(request: ApiRequest): Promise<T> }>

export function createTransport(options: TransportOptions): Transport {
  const { timing, retry, pacer } = options

  async function attempt(request: ApiRequest): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
    if (request.auth) {
      headers['authorization'] = options.authorization
      // spec §2.2: listed as a Data API header; when sent, it must name the Basic-auth workspace.
      headers['moe-appkey'] = options.workspaceId
    }
    const init: RequestInit = {
      method: request.method,
      headers,
      signal: AbortSignal.timeout(options.timeoutMs),
    }
    if (request.json !== undefined || request.body !== undefined) {
      headers['content-type'] = 'application/json'
      init.body = request.json ?? JSON.stringify(request.body)
    }
    return options.fetch(`${options.baseUrl}${request.path}`, init)
  }

  return {
    async send<T>(request: ApiRequest): Promise<T> {
      let failures = 0
      let limited = 0
      for (let attempts = 1; ; attempts++) {
        const quota = request.quota
        if (quota !== undefined) await pacer.acquire(quota.name, quota.units)
        let response: Response
        let body: unknown
        try {
          response = await attempt(request)
          body = await readBody(response)
        } catch (cause) {
          if (quota !== undefined) pacer.observe(quota.name, quota.units, undefined)
          const error = new NetworkError(
            `${request.method} ${request.path.split('?')[0] ?? ''}: no answer (${cause instanceof Error ? cause.message : String(cause)})`,
            { cause },
          )
          error.attempts = attempts
          failures++
          if (failures > retry.retries) throw error
          await timing.sleep(backoffMs(retry, failures, options.random))
          continue
        }
        if (quota !== undefined) {
          pacer.observe(quota.name, quota.units, response.headers, response.status)
        }
        if (response.ok) return body as T // the endpoint's documented answer (types.ts)
        const error: DataApiError = errorFromAnswer(response.status, response.headers, body)
        error.attempts = attempts
        if (response.status === 429) {
          limited++
          if (limited > retry.rateLimitRetries) throw error
          // A metered request waits in acquire(); another one waits what the answer says.
          if (quota === undefined) {
            await timing.sleep((error.retryAfterSeconds ?? 1) * 1000)
          }
          continue
        }
        if (response.status < 500) throw error
        failures++
        if (failures > retry.retries) throw error
        const backoff = backoffMs(retry, failures, options.random)
        await timing.sleep(Math.max(backoff, (error.retryAfterSeconds ?? 0) * 1000))
      }
    },
  }
}
