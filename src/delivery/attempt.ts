/**
 * What one delivery attempt came to, as a value (docs/outbox.md "Retries"): `sent`; `retry` — a
 * failure that may pass (a timeout, a refused connection, HTTP 408, 429 or 5xx, an SMTP 4xx); or
 * `failed` — a refusal that another attempt would meet again (HTTP 4xx, an SMTP 5xx). And the
 * message as a transport sends it: the outbox row with its idempotency key.
 */
import type { OutboxMessageRow } from '../store/store.js'

export type AttemptResult =
  | Readonly<{ kind: 'sent' }>
  | Readonly<{ kind: 'retry'; reason: string }>
  | Readonly<{ kind: 'failed'; reason: string }>

export const sent = (): AttemptResult => ({ kind: 'sent' })
export const retry = (reason: string): AttemptResult => ({ kind: 'retry', reason })
export const failed = (reason: string): AttemptResult => ({ kind: 'failed', reason })

/** How long one attempt may take before it counts as a timeout (retried). */
export const ATTEMPT_TIMEOUT_MS = 30_000

/** A message's idempotency key: its outbox id, the same on every attempt. */
export const idempotencyKeyOf = (m: OutboxMessageRow): string => m.id

/**
 * A message's fields as Inlet shows them, snake_case (the webhook's body here, and
 * `GET /inlet/v1/outbox`'s view in families/outbox, which adds its status and position).
 */
export function messageFields(m: OutboxMessageRow) {
  return {
    id: m.id,
    channel: m.channel,
    source: m.source,
    source_id: m.sourceId,
    user_id: m.customerId,
    recipient: m.recipient,
    platform: m.platform,
    subject: m.subject,
    body: m.body,
    payload: m.payload,
    template: m.template,
    template_version: m.templateVersion,
    transaction_id: m.transactionId,
    request_id: m.requestId,
    created_at: new Date(m.createdAt).toISOString(),
  }
}

/** The outbox row as a transport hands it on: its fields, its workspace and attempt number. */
export function deliveredMessage(m: OutboxMessageRow) {
  return { ...messageFields(m), workspace_id: m.workspaceId, attempt: m.attempts }
}

/** An error's message, for a reason (never a stack). */
export const messageOf = (err: unknown): string =>
  err instanceof Error ? err.message : String(err)
