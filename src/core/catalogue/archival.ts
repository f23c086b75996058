/**
 * The Message Archival family's catalogue (moengage-other-apis.md §2.9;
 * moengage-message-archival-openapi.yml), in its envelope (http/envelopes.ts archivalEnvelope):
 * a 400 `{"status":false,"error_message"}`, a 401 `{"status":false,"error"}`, a 500
 * `{"title","description","code"}` (the code is the request id). The documented strings are
 * verbatim: the 400 `This event is unsupported to view message copy. …`, the 401 `Invalid data
 * key`, the 500 `Server Error`. Every other 400 is Inlet's words in the same field. The
 * platform's codes are answered under the endpoint `archival`.
 */
import {
  BODY_FORMAT_CODES,
  DATA_KEY_CREDENTIAL_CODES,
  sameFor,
  type ArchivalErrorCode,
  type Variants,
  type WireError,
} from './types.js'

/** The events whose message Archival shows (the documented 400 lists them). */
export const ARCHIVAL_EVENTS = [
  'Email Sent',
  'SMS Sent',
  'Notification Sent iOS',
  'Notification Received Android',
  'Notification Received Web',
] as const

const BAD_REQUEST = { status: 400, type: 'Bad Request' } as const
const SERVER_ERROR = {
  status: 500,
  type: 'Server Error',
  message:
    'An unexpected error was encountered while processing this request. Please contact MoEngage Team',
} as const

/** The Message Archival family's own entries. */
export const ARCHIVAL_ERRORS: Readonly<Record<ArchivalErrorCode, WireError>> = {
  archival_event_unsupported: {
    ...BAD_REQUEST,
    message: `This event is unsupported to view message copy. The supported events are [${ARCHIVAL_EVENTS.map((e) => `'${e}'`).join(', ')}]`,
    attribute: 'event_name',
  },
  archival_field_invalid: { ...BAD_REQUEST, message: '{detail}', attribute: '{attribute}' },
  archival_message_not_found: {
    ...BAD_REQUEST,
    message: 'No message was sent to this user with these details',
  },
}

/** The platform's codes as `POST /v1/archival/view` answers them (endpoint `archival`). */
export const ARCHIVAL_ENDPOINTS: Readonly<Record<'archival', Variants>> = {
  archival: {
    // One 401 for every credential problem, as the page documents one.
    ...sameFor([...DATA_KEY_CREDENTIAL_CODES, 'moe_appkey_missing', 'moe_appkey_mismatch'], {
      status: 401,
      type: 'Unauthorized',
      message: 'Invalid data key',
    }),
    ...sameFor(BODY_FORMAT_CODES, { status: 400, type: 'Bad Request' }),
    payload_too_large: { type: 'Bad Request' },
    rate_limit_exceeded: {
      status: 429,
      type: 'Too Many Requests',
      message: 'Rate limit exceeded: at most 1000 requests a minute',
    },
    internal: SERVER_ERROR,
    store_unavailable: { ...SERVER_ERROR, status: 503 },
  },
}
