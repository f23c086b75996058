/**
 * The Cards family's catalogue (moengage-other-apis.md §2.9; moengage-cards-openapi.yml), in its
 * envelope (http/envelopes.ts cardsEnvelope): a 400 `{"status":false,"error","request_id"}`, a 401
 * or 429 `{"title","description","code"}` (E3; the code is the request id, as the examples' eight
 * letters are), a 5xx `{"title","message"}`. The documented strings are verbatim: the 400s `User not
 * found for this uid/ unique_id`, `Required field missing. Please include either 'uid' or
 * 'unique_id'`, `Invalid or missing 'campaign_ids' field`; the 401s `Invalid APP_SECRET_KEY is
 * provided`, `Invalid APP_ID is provided`, `APP_ID and APP_SECRET_KEY is missing in Authorization
 * Header.`; the 429 and the 500. Every other 400 is Inlet's words in the same field. The platform's
 * codes are answered under the endpoint `cards`.
 */
import { sameFor, type CardsErrorCode, type Variants, type WireError } from './types.js'

const BAD_REQUEST = { status: 400, type: 'Bad Request' } as const
const FAILURE = { status: 401, type: 'Authentication Failure' } as const
const SERVER_ERROR = {
  status: 500,
  type: 'Internal Server Error',
  message:
    'An unexpected error was encountered while processing this request. Please contact MoEngage Team',
} as const

/** The Cards family's own entries. */
export const CARDS_ERRORS: Readonly<Record<CardsErrorCode, WireError>> = {
  cards_user_missing: {
    ...BAD_REQUEST,
    message: "Required field missing. Please include either 'uid' or 'unique_id'",
    attribute: 'uid',
  },
  cards_user_not_found: { ...BAD_REQUEST, message: 'User not found for this uid/ unique_id' },
  cards_campaign_ids_invalid: {
    ...BAD_REQUEST,
    message: "Invalid or missing 'campaign_ids' field",
    attribute: 'campaign_ids',
  },
  cards_field_invalid: { ...BAD_REQUEST, message: '{detail}', attribute: '{attribute}' },
}

/** The platform's codes as fetch and delete answer them (endpoint `cards`). */
export const CARDS_ENDPOINTS: Readonly<Record<'cards', Variants>> = {
  cards: {
    // No credentials: the documented "Authentication required" 401.
    ...sameFor(['auth_header_required', 'auth_empty'], {
      status: 401,
      type: 'Authentication required',
      message: 'APP_ID and APP_SECRET_KEY is missing in Authorization Header.',
    }),
    moe_appkey_missing: {
      status: 401,
      type: 'Authentication required',
      message: 'MOE-APPKEY is missing in the request headers.',
    },
    // The workspace named wrongly: "Invalid APP_ID is provided".
    ...sameFor(
      [
        'auth_not_basic',
        'auth_undecodable',
        'auth_username_missing',
        'auth_unknown_app_id',
        'invalid_app_id',
        'app_mismatch',
        'moe_appkey_mismatch',
      ],
      { ...FAILURE, message: 'Invalid APP_ID is provided' },
    ),
    // The key wrong or not set: "Invalid APP_SECRET_KEY is provided".
    ...sameFor(['auth_password_missing', 'feature_key_not_set', 'feature_key_mismatch'], {
      ...FAILURE,
      message: 'Invalid APP_SECRET_KEY is provided',
    }),
    rate_limit_exceeded: {
      status: 429,
      type: 'Request limit reached',
      message: 'This API call has exceeded the rate limit',
    },
    internal: SERVER_ERROR,
    store_unavailable: { ...SERVER_ERROR, status: 503 },
  },
}
