/**
 * The `webhook` delivery mode (docs/outbox.md "Webhook"): each message POSTed as JSON to the
 * workspace's URL, signed so that the receiver can tell it came from this Inlet and is recent —
 * `Inlet-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" under the workspace's secret>`
 * with `Inlet-Timestamp: <unix seconds>` — and carrying its idempotency key (`Idempotency-Key`,
 * `Inlet-Message-Id`: the message id, the same on every attempt). 2xx is sent; 408, 429, 5xx,
 * timeouts and network errors are retried; any other answer (4xx, a redirect) is failed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { OutboxMessageRow } from '../store/store.js'
import {
  ATTEMPT_TIMEOUT_MS,
  deliveredMessage,
  failed,
  idempotencyKeyOf,
  messageOf,
  retry,
  sent,
  type AttemptResult,
} from './attempt.js'

export const SIGNATURE_HEADER = 'inlet-signature'
export const TIMESTAMP_HEADER = 'inlet-timestamp'
export const MESSAGE_ID_HEADER = 'inlet-message-id'
export const IDEMPOTENCY_HEADER = 'idempotency-key'

/** How far a receiver should let a signature's timestamp be from its own clock (documented). */
export const SIGNATURE_TOLERANCE_SECONDS = 300

/** `v1=<hex>`: the HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * What a receiver does (docs/outbox.md shows it in a few lines): the signature matches the body
 * and timestamp, and the timestamp is within the tolerance of `nowSeconds`.
 */
export function verifyWebhook(
  secret: string,
  headers: Readonly<{ signature: string | undefined; timestamp: string | undefined }>,
  body: string,
  nowSeconds: number,
): boolean {
  const timestamp = Number(headers.timestamp)
  if (!Number.isInteger(timestamp)) return false
  if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return false
  const expected = Buffer.from(signWebhook(secret, timestamp, body))
  const given = Buffer.from(headers.signature ?? '')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** One attempt of `message` to `url`, signed with `secret` at `nowMs`. */
export async function deliverWebhook(
  message: OutboxMessageRow,
  target: Readonly<{ url: string; secret: string }>,
  nowMs: number,
  /** Aborts the attempt (the worker stopping): a failure that may pass, tried again later. */
  stop?: AbortSignal,
): Promise<AttemptResult> {
  const body = JSON.stringify(deliveredMessage(message))
  const timestamp = Math.floor(nowMs / 1000)
  let response: Response
  try {
    response = await fetch(target.url, {
      method: 'POST',
      redirect: 'manual',
      signal:
        stop === undefined
          ? AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)
          : AbortSignal.any([AbortSignal.timeout(ATTEMPT_TIMEOUT_MS), stop]),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Inlet-Delivery/1',
        [IDEMPOTENCY_HEADER]: idempotencyKeyOf(message),
        [MESSAGE_ID_HEADER]: message.id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, body),
      },
      body,
    })
    await response.body?.cancel() // the answer's body is not read
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : ''
    return retry(`webhook: ${messageOf(err)}${cause}`)
  }
  const status = response.status
  if (status >= 200 && status < 300) return sent()
  const reason = `webhook answered HTTP ${status}`
  return status === 408 || status === 429 || status >= 500 ? retry(reason) : failed(reason)
}
