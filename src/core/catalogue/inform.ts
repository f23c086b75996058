/**
 * The Inform family's catalogue (moengage-other-apis.md §2.8; moengage-inform-openapi.yml), in
 * its envelope E8 `{"message","err_code","status_code"}` (http/envelopes.ts informEnvelope): an
 * entry's `type` is the `err_code`, its `code` the six-digit `status_code`. The documented
 * answers are verbatim — 400 `Invalid Alert ID` / `BAD_REQUEST` / 120002, 401 `Invalid App Key
 * or Basic Auth` / `UNAUTHORIZED` / 120001, 409 `Duplicate Transaction ID` /
 * `DUPLICATE_REQUEST_RECEIVED` / 120105, 429 `Too many requests` / `Rate Limit` / 140110, 500
 * `Unexpected error occurred` / `Internal Server Error` / 140109, and the sandbox's `Live Alert
 * Request received on Sandbox API endpoint` — and every other 400 (a payload the OpenAPI's schema
 * refuses) is a `BAD_REQUEST` / 120002 in Inlet's words. The platform's codes are answered under
 * the endpoint `inform` with these strings.
 */
import { BODY_CODES, type InformErrorCode, type WireError } from './types.js'
import { BASIC_CREDENTIAL_CODES, type ErrorCode } from '../errors.js'

const BAD_REQUEST = { status: 400, type: 'BAD_REQUEST', code: 120002 } as const
const UNAUTHORIZED = {
  status: 401,
  type: 'UNAUTHORIZED',
  message: 'Invalid App Key or Basic Auth',
  code: 120001,
} as const
const SERVER_ERROR = {
  status: 500,
  type: 'Internal Server Error',
  message: 'Unexpected error occurred',
  code: 140109,
} as const

/** The Inform family's own entries. */
export const INFORM_ERRORS: Readonly<Record<InformErrorCode, WireError>> = {
  inform_alert_invalid: { ...BAD_REQUEST, message: 'Invalid Alert ID' },
  inform_live_on_sandbox: {
    ...BAD_REQUEST,
    message: 'Live Alert Request received on Sandbox API endpoint',
  },
  inform_payload_invalid: { ...BAD_REQUEST, message: '{detail}' },
  inform_duplicate_transaction: {
    status: 409,
    type: 'DUPLICATE_REQUEST_RECEIVED',
    message: 'Duplicate Transaction ID',
    code: 120105,
  },
}

type Variants = Readonly<Partial<Record<ErrorCode, Partial<WireError>>>>

function sameFor(codes: readonly ErrorCode[], variant: Partial<WireError>): Variants {
  return Object.fromEntries(codes.map((code) => [code, variant]))
}

/** The platform's codes as `POST /v1.0/alerts/send` answers them (endpoint `inform`). */
export const INFORM_ENDPOINTS: Readonly<Record<'inform', Variants>> = {
  inform: {
    // One 401 for every credential problem, as the page documents one.
    ...sameFor(
      [
        ...BASIC_CREDENTIAL_CODES,
        'auth_unknown_app_id',
        'invalid_app_id',
        'app_mismatch',
        'feature_key_not_set',
        'feature_key_mismatch',
        'moe_appkey_missing',
        'moe_appkey_mismatch',
      ],
      UNAUTHORIZED,
    ),
    // A payload that is not a JSON object: the documented 400 ("Invalid payload format, incorrect
    // JSON"), the Data API's message.
    ...sameFor(BODY_CODES, { status: 400, type: 'BAD_REQUEST', code: 120002 }),
    payload_too_large: { type: 'BAD_REQUEST', code: 120002 },
    rate_limit_exceeded: {
      status: 429,
      type: 'Rate Limit',
      message: 'Too many requests',
      code: 140110,
    },
    internal: SERVER_ERROR,
    store_unavailable: { ...SERVER_ERROR, status: 503 },
  },
}
