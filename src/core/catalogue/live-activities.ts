/**
 * The Live Activities family's catalogue (moengage-other-apis.md §2.8;
 * moengage-live-activities-openapi.yml), in its envelope E10 `{"error":{"code","message"
 * [,"details"]}}` (http/envelopes.ts liveActivityEnvelope): an entry's `type` is `error.code`
 * (`PayloadError`, `AuthError`, `OperationNotAllowed`, `PayloadSizeError`, `ServerError`). The
 * documented answers are verbatim: the 400 `Mandatory fields are missing or invalid` with one
 * detail `{code, target, message}` (the detail's code from the error's `detail_code` param, its
 * target the entry's `attribute`, its message the entry's `detail`), the three 401s, the six 403s,
 * the 413 and the 500. The platform's codes are answered under the endpoint `live_activities`.
 */
import {
  BODY_FORMAT_CODES,
  sameFor,
  type LiveActivityErrorCode,
  type Variants,
  type WireError,
} from './types.js'

const FORBIDDEN = { status: 403, type: 'OperationNotAllowed' } as const
const AUTH = { status: 401, type: 'AuthError' } as const
const INVALID_APP_KEY = { ...AUTH, message: 'Invalid App Key' } as const
const INVALID_DATA_KEY = { ...AUTH, message: 'Invalid Data Key' } as const
const MISSING = { ...AUTH, message: 'Authorization header or X-MOE-APPKEY is missing' } as const
const PAYLOAD_SIZE = {
  status: 413,
  type: 'PayloadSizeError',
  message: 'Payload size exceeded for IOS. Max size is 5120 bytes',
} as const

/** The Live Activities family's own entries. */
export const LIVE_ACTIVITY_ERRORS: Readonly<Record<LiveActivityErrorCode, WireError>> = {
  live_activity_payload_invalid: {
    status: 400,
    type: 'PayloadError',
    message: 'Mandatory fields are missing or invalid',
    attribute: '{target}',
    detail: '{detail}',
  },
  live_activity_payload_size: PAYLOAD_SIZE,
  live_activity_campaign_not_found: { ...FORBIDDEN, message: 'Campaign not found for {id}' },
  live_activity_token_auth: {
    ...FORBIDDEN,
    message: 'Only IOS token auth is allowed, please upload .p8 file',
  },
  live_activity_duplicate: {
    ...FORBIDDEN,
    message: 'Duplicate Request, please use different instance_id',
  },
  live_activity_max_instances: { ...FORBIDDEN, message: 'Max Instances Limit Reached' },
  live_activity_invalid_action: { ...FORBIDDEN, message: 'Invalid Action' },
  live_activity_dismissal_passed: { ...FORBIDDEN, message: 'Dismissal date is already passed' },
}

/** The platform's codes as the three endpoints answer them (endpoint `live_activities`). */
export const LIVE_ACTIVITY_ENDPOINTS: Readonly<Record<'live_activities', Variants>> = {
  live_activities: {
    // No credentials, or no X-MOE-APPKEY: the documented "missing" 401.
    ...sameFor(['auth_header_required', 'auth_empty', 'moe_appkey_missing'], MISSING),
    // The workspace named wrongly: "Invalid App Key".
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
      INVALID_APP_KEY,
    ),
    // The key wrong or not set: "Invalid Data Key" (MoEngage's words for the Push tile's key).
    ...sameFor(
      ['auth_password_missing', 'feature_key_not_set', 'feature_key_mismatch'],
      INVALID_DATA_KEY,
    ),
    ...sameFor(BODY_FORMAT_CODES, {
      status: 400,
      type: 'PayloadError',
      message: 'Mandatory fields are missing or invalid',
    }),
    payload_too_large: PAYLOAD_SIZE,
    rate_limit_exceeded: { status: 429, type: 'RateLimitError', message: 'Too Many Requests' },
    internal: {
      status: 500,
      type: 'ServerError',
      message: 'Internal Server Error, something went wrong',
    },
    store_unavailable: {
      status: 503,
      type: 'ServerError',
      message: 'Internal Server Error, something went wrong',
    },
  },
}
