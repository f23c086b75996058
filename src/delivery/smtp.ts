/**
 * The `smtp` delivery mode (docs/outbox.md "SMTP"): an EMAIL message handed to the workspace's
 * SMTP server with nodemailer — From the alert's sender (its address) or the mode's `from`, To
 * the recipient, the rendered subject and HTML body — its idempotency key as the Message-ID
 * (`<id@inlet>`) and in `Idempotency-Key` / `Inlet-Message-Id` headers, so a receiver (or a
 * person) can tell a repeated attempt from a second message. A 5xx reply is failed; a 4xx, a
 * timeout or a connection error is retried.
 */
import { createTransport } from 'nodemailer'
import type { OutboxMessageRow } from '../store/store.js'
import type { SmtpDelivery } from '../workspaces/delivery.js'
import {
  ATTEMPT_TIMEOUT_MS,
  failed,
  idempotencyKeyOf,
  messageOf,
  retry,
  sent,
  type AttemptResult,
} from './attempt.js'

/** The Message-ID of a message: its idempotency key at the domain `inlet`. */
export const messageIdOf = (m: OutboxMessageRow): string => `<${idempotencyKeyOf(m)}@inlet>`

/** The From: the alert's sender when it has an address (with its name), else the mode's. */
function fromOf(m: OutboxMessageRow, fallback: string): string | { name: string; address: string } {
  const sender = m.payload['sender']
  if (typeof sender === 'object' && sender !== null) {
    const { name, address } = sender as Record<string, unknown> // written by families/inform
    if (typeof address === 'string' && address !== '') {
      return typeof name === 'string' && name !== '' ? { name, address } : address
    }
  }
  return fallback
}

/** One attempt of `message` through `smtp` (its password opened by the caller). */
export async function deliverSmtp(
  message: OutboxMessageRow,
  smtp: SmtpDelivery,
  password: string | null,
): Promise<AttemptResult> {
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user === null ? {} : { auth: { user: smtp.user, pass: password ?? '' } }),
    connectionTimeout: ATTEMPT_TIMEOUT_MS,
    greetingTimeout: ATTEMPT_TIMEOUT_MS,
    socketTimeout: ATTEMPT_TIMEOUT_MS,
  })
  try {
    await transport.sendMail({
      from: fromOf(message, smtp.from),
      to: message.recipient,
      subject: message.subject ?? '',
      html: message.body,
      messageId: messageIdOf(message),
      headers: {
        'Idempotency-Key': idempotencyKeyOf(message),
        'Inlet-Message-Id': message.id,
      },
    })
    return sent()
  } catch (err) {
    const code = (err as { responseCode?: unknown }).responseCode // nodemailer's SMTP reply code
    const reason = `smtp: ${messageOf(err)}`
    return typeof code === 'number' && code >= 500 && code < 600 ? failed(reason) : retry(reason)
  } finally {
    transport.close()
  }
}
