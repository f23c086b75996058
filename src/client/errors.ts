/**
 * The client SDK's errors. A failure answer of the API becomes a DataApiError (or the subclass of
 * its status) carrying the HTTP status and the envelope's `type`, `message`, `attribute` and
 * `request_id` (spec §4.2; the `{title, description}` bodies of spec §4.3 are read too); a request
 * that got no answer is a NetworkError. The rest are the client's own refusals: a record too big
 * for any Bulk body, a closed client, and the records a flush could not deliver when no
 * `onFailure` callback takes them.
 */
import type { BulkElement } from './types.js'

/** What a failure answer said, as far as it said it. */
export type ErrorDetails = Readonly<{
  status: number
  type: string
  message: string
  attribute?: string
  requestId?: string
  /** Seconds the server asked to wait (`Retry-After`), if it did. */
  retryAfterSeconds?: number
  /** The answer's body (parsed JSON, or its text). */
  body: unknown
}>

/** A failure answer of the API: status, `type`, `message`, `attribute`, `request_id`. */
export class DataApiError extends Error {
  override readonly name: string = 'DataApiError'
  readonly status: number
  /** The envelope's `error.type` (or `title`): `MissingAttributeError`, `Rate Limit Exceeded`, … */
  readonly type: string
  /** The field a validation error names (`error.attribute`), if any. */
  readonly attribute: string | undefined
  /** The request id of the answer (`error.request_id`), if any. */
  readonly requestId: string | undefined
  readonly retryAfterSeconds: number | undefined
  readonly body: unknown
  /** How many requests were made before giving up (1 when the error is not retried). */
  attempts = 1

  constructor(details: ErrorDetails) {
    super(details.message)
    this.status = details.status
    this.type = details.type
    this.attribute = details.attribute
    this.requestId = details.requestId
    this.retryAfterSeconds = details.retryAfterSeconds
    this.body = details.body
  }
}

/** 400: the body (or one record of it) broke a rule of the API; not retried. */
export class ValidationError extends DataApiError {
  override readonly name: string = 'ValidationError'
}

/** 401, or 409 (credentials and workspace do not go together); not retried. */
export class AuthenticationError extends DataApiError {
  override readonly name: string = 'AuthenticationError'
}

/** 403: the workspace is blocked or suspended; not retried. */
export class ForbiddenError extends DataApiError {
  override readonly name: string = 'ForbiddenError'
}

/** 413: the body was over the endpoint's limit; not retried. */
export class PayloadTooLargeError extends DataApiError {
  override readonly name: string = 'PayloadTooLargeError'
}

/** 429: a quota is spent; retried after the wait the answer names. */
export class RateLimitError extends DataApiError {
  override readonly name: string = 'RateLimitError'
}

/** 5xx: retried with backoff (spec §4.4: "retry every 2 s, at most 5 times"). */
export class ServerError extends DataApiError {
  override readonly name: string = 'ServerError'
}

/** No answer: the connection failed or the request timed out; retried like a 5xx. */
export class NetworkError extends Error {
  override readonly name: string = 'NetworkError'
  attempts = 1
  constructor(message: string, options: { cause: unknown }) {
    super(message, options)
  }
}

/** A record whose Bulk Import body alone would be over the limit: refused before anything is sent. */
export class RecordTooLargeError extends Error {
  override readonly name: string = 'RecordTooLargeError'
  readonly bytes: number
  readonly limit: number
  readonly record: BulkElement
  constructor(record: BulkElement, bytes: number, limit: number) {
    super(
      `a ${record.type} record of ${bytes} bytes does not fit in a Bulk Import body of at most ${limit} bytes (spec §3); records are never split`,
    )
    this.record = record
    this.bytes = bytes
    this.limit = limit
  }
}

/** A record given to a client that was closed. */
export class ClientClosedError extends Error {
  override readonly name: string = 'ClientClosedError'
  constructor() {
    super('the client is closed: no more records are accepted')
  }
}

/** Records that were not delivered, and why. */
export type DeliveryFailure = Readonly<{
  records: readonly BulkElement[]
  error: DataApiError | NetworkError
}>

/** What `flush()` or `close()` rejects with when records failed and no `onFailure` took them. */
export class DeliveryError extends Error {
  override readonly name: string = 'DeliveryError'
  readonly failures: readonly DeliveryFailure[]
  constructor(failures: readonly DeliveryFailure[]) {
    const records = failures.reduce((n, f) => n + f.records.length, 0)
    super(
      `${records} record(s) were not delivered: ${failures.map((f) => f.error.message).join('; ')}`,
    )
    this.failures = failures
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key] // a JSON object
    : undefined
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The Retry-After header in whole seconds, when it is one (spec §5.2: Inlet sends it on a 429). */
export function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after')
  if (value === null || !/^\d+$/.test(value.trim())) return undefined
  return Number(value)
}

/**
 * The error of a failure answer: `{"status":"fail","error":{type,message,attribute,request_id}}`
 * (spec §4.2), `{"status":"fail","title","description"}` (§4.3), or anything else (its text).
 */
export function errorFromAnswer(status: number, headers: Headers, body: unknown): DataApiError {
  const error = field(body, 'error')
  const type = text(field(error, 'type')) ?? text(field(body, 'title')) ?? `HTTP ${status}`
  const message =
    text(field(error, 'message')) ??
    text(field(body, 'description')) ??
    text(field(body, 'message')) ??
    (typeof body === 'string' && body !== '' ? body.slice(0, 500) : `HTTP ${status}`)
  const attribute = text(field(error, 'attribute'))
  const requestId = text(field(error, 'request_id')) ?? text(field(body, 'request_id'))
  const retryAfter = retryAfterSeconds(headers)
  const details: ErrorDetails = {
    status,
    type,
    message,
    body,
    ...(attribute === undefined ? {} : { attribute }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
  }
  if (status === 400) return new ValidationError(details)
  if (status === 401 || status === 409) return new AuthenticationError(details)
  if (status === 403) return new ForbiddenError(details)
  if (status === 413) return new PayloadTooLargeError(details)
  if (status === 429) return new RateLimitError(details)
  if (status >= 500) return new ServerError(details)
  return new DataApiError(details)
}
