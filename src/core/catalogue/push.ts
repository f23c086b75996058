/**
 * The Push family's catalogue (moengage-other-apis.md §2.8; moengage-push-openapi.yml,
 * moengage-push-v2-1-openapi.yml), in its envelope E9 (http/envelopes.ts pushEnvelope): every
 * documented failure is HTTP 200 `{"status":"Fail","Error_Message","responseId","requestId":""}`
 * — an entry of status 400 here — a 401 is the body `[]`, a 404 or 5xx `{"code","status":"error",
 * "reason"}`. MoEngage lists the failures' reasons, not their exact strings (but for the example
 * `Campaign Name not found`): Inlet answers each reason in the list's words — `Invalid Request
 * Type`, `Invalid appId`, `appId not present`, `Campaign Name too short (must be >= 5 chars)`,
 * `Campaign Name not found` (missing), `Request limit exceeded`, `Signature missing`, `Signature
 * not verified`, `Duplicate campaign name`, `Key not of Type List or Value not allowed`, `Error
 * parsing parameters` (with what, after a colon). The platform's codes are answered under the
 * endpoints `push_v2` and `push_v2_1` with these strings; v2.1's quota refusal is its documented
 * 429 with the body `[]` and the `x-ratelimit-*` headers.
 */
import {
  BODY_FORMAT_CODES,
  sameFor,
  type PushErrorCode,
  type Variants,
  type WireError,
} from './types.js'

/** A documented failure: answered 200 `status:"Fail"` by the envelope. */
const FAIL = { status: 400, type: 'Fail' } as const

/** The 500 of the pages: `{"code":500,"status":"error","reason":…,"reference"}`. */
const SERVER_ERROR = {
  status: 500,
  type: 'error',
  message: 'There seems to be an error. We are working to fix this.',
} as const

/** The Push family's own entries. */
export const PUSH_ERRORS: Readonly<Record<PushErrorCode, WireError>> = {
  push_request_type_invalid: { ...FAIL, message: 'Invalid Request Type' },
  push_campaign_name_short: {
    ...FAIL,
    message: 'Campaign Name too short (must be >= 5 chars)',
  },
  push_campaign_name_duplicate: { ...FAIL, message: 'Duplicate campaign name' },
  push_value_not_allowed: {
    ...FAIL,
    message: 'Key not of Type List or Value not allowed: {detail}',
  },
  push_params_invalid: { ...FAIL, message: 'Error parsing parameters: {detail}' },
  push_segment_not_found: { ...FAIL, message: 'Custom Segment not found: {name}' },
}

/** The platform's codes as both versions answer them. */
const COMMON: Variants = {
  params_required: { ...FAIL, message: 'appId not present' },
  ...sameFor(['invalid_app_id', 'auth_unknown_app_id'], { ...FAIL, message: 'Invalid appId' }),
  signature_missing: { ...FAIL, message: 'Signature missing' },
  // No Push key, or one this server cannot open (auth-hooks.ts): no signature can be verified.
  ...sameFor(['signature_mismatch', 'feature_key_not_set'], {
    ...FAIL,
    message: 'Signature not verified',
  }),
  // The gateway's campaignName checks (auth-hooks.ts): the page's example failure.
  ...sameFor(['field_missing', 'attribute_type'], { ...FAIL, message: 'Campaign Name not found' }),
  // A body that is not a JSON object.
  ...sameFor([...BODY_FORMAT_CODES, 'payload_too_large'], {
    ...FAIL,
    message: 'Error parsing parameters',
  }),
  // "401 Unauthorized. Invalid authentication credentials": a workspace that may not send.
  ...sameFor(['account_blacklisted', 'account_suspended', 'account_temporarily_suspended'], {
    status: 401,
  }),
  rate_limit_exceeded: { ...FAIL, message: 'Request limit exceeded' },
  // Another path under /v2/transaction/ or /v2.1/transaction/ (the pages' 404).
  route_not_found: {
    status: 404,
    type: 'error',
    message: 'Page not found. Please recheck the URL',
  },
  internal: SERVER_ERROR,
  store_unavailable: { ...SERVER_ERROR, status: 503 },
}

/** By endpoint: `push_v2` (`/v2/transaction/sendpush`), `push_v2_1` (`/v2.1/…`). */
export const PUSH_ENDPOINTS: Readonly<Record<'push_v2' | 'push_v2_1', Variants>> = {
  push_v2: COMMON,
  push_v2_1: {
    ...COMMON,
    // moengage-push-v2-1-openapi.yml: 429, the body empty (`[]`), the x-ratelimit-* headers.
    rate_limit_exceeded: { status: 429, type: 'Too Many Requests', message: 'Too Many Requests' },
  },
}
