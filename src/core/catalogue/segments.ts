/**
 * The segments family's catalogue (Segments v3, moengage-other-apis.md §2.1; the OpenAPI file
 * moengage-custom-segments-openapi.yml): its own `segment_*` entries and, for the one endpoint
 * group `custom_segments`, the strings its pages document for the platform's codes
 * (authentication, MOE-APPKEY, malformed requests, rate limits, the 500). Its envelope is E2
 * (http/envelopes.ts `resourceEnvelope('custom_segment')`): `type` is `error.code`; a 409 for a
 * definition already used adds `existing_cs_name` and `existing_cs_id` from the error's params,
 * the active-segment 429 `actual_count` and `limit`; a definition that does not parse names the
 * field in `error.attribute` and what is wrong there in `error.detail` (Inlet's additions: the
 * documented message says neither). Strings the pages do not give are Inlet's, in their manner.
 */
import { SERVER_ERROR_MESSAGE } from './data.js'
import type { ErrorCode } from '../errors.js'
import {
  BODY_FORMAT_CODES,
  sameFor,
  type SegmentErrorCode,
  type Variants,
  type WireError,
} from './types.js'

/** The most segments a workspace keeps active (spec §2.1's 429: `limit: 1000`). */
export const ACTIVE_SEGMENT_LIMIT = 1_000

/** MoEngage's 400 for a malformed request (its `invalidFormat` example). */
const INVALID_FORMAT: Omit<WireError, 'status'> = {
  type: 'Invalid request',
  message:
    'Invalid request format. Please check the documentation to ensure that the request has been formed correctly.',
}

/** MoEngage's 400 for filters that are wrong or a name with HTML or only whitespace. */
const INVALID_FILTERS_OR_NAME =
  "Invalid request. Please ensure that the filters are correct and the custom-segment name doesn't contain HTML characters/only whitespaces."

export const SEGMENT_ERRORS: Readonly<Record<SegmentErrorCode, WireError>> = {
  segment_invalid_request: { status: 400, ...INVALID_FORMAT },
  segment_name_invalid: { status: 400, type: 'Invalid Request', message: INVALID_FILTERS_OR_NAME },
  segment_filters_invalid: {
    status: 400,
    type: 'Invalid Request',
    message: INVALID_FILTERS_OR_NAME,
    attribute: '{path}',
    detail: '{reason}',
  },
  segment_not_found: {
    status: 404,
    type: 'Entity Not Found',
    message: 'Custom segment not found with the given id: {id}',
  },
  segment_update_forbidden: {
    status: 403,
    type: 'Forbidden operation',
    message:
      "Update isn't supported for file-segments, internally created custom-segments, custom-segments imported from Analyze and archived custom-segments.",
  },
  segment_name_exists: {
    status: 409,
    type: 'Resource not created',
    message:
      'Another custom-segment already exists with the same name: {name}. Please change the custom-segment name.',
  },
  segment_filters_exist: {
    status: 409,
    type: 'Resource not created',
    message:
      'Another custom-segment already exists containing the given filters: {existing_cs_name}. Please reuse the same or update the filters',
  },
  segment_cyclic: {
    status: 412,
    type: 'Cyclic Entity',
    message: 'Circular reference detected in the custom segment definition.',
  },
  segment_too_many_nesting_levels: {
    status: 413,
    type: 'Query has too many nesting levels',
    message:
      'The query has more than {limit} levels of nesting. Please reduce the segment nesting.',
  },
  segment_too_many_segments: {
    status: 413,
    type: 'Too many segments in a query',
    message: 'The query has more than {limit} custom segments. Please reduce the custom segments.',
  },
  segment_query_too_long: {
    status: 413,
    type: 'Query length limit exceeded',
    message: 'The query is too large to execute. Please reduce the filters.',
  },
  segment_active_limit: {
    status: 429,
    type: 'Too Many Requests',
    message: 'Total active segments limit breached. Request rejected!',
  },
  // Segments v2 (E3 `{title, description}`): the page's `<message>` is what is wrong, Inlet's words.
  segment_file_invalid: { status: 400, type: 'Invalid Request', message: '{reason}' },
  segment_file_not_found: {
    status: 404,
    type: 'Entity Not Found',
    message: 'Segment not found with the given name: {name}',
  },
  // Inlet's, worded like the page's: a `cs_id` (which wins over `name`) that names no segment.
  segment_file_id_not_found: {
    status: 404,
    type: 'Entity Not Found',
    message: 'Segment not found with the given id: {id}',
  },
  segment_file_name_exists: {
    status: 409,
    type: 'Resource not created',
    message: 'Name already exists : {name}',
  },
  segment_file_active_limit: {
    status: 429,
    type: 'Too Many Requests',
    message: 'Total active segments limit breached. Request rejected!',
  },
  // Cohort Sync (E1): the page documents MissingAttributeError for every 400.
  segment_cohort_invalid: {
    status: 400,
    type: 'MissingAttributeError',
    message: '{reason}',
    attribute: '{key}',
  },
  // §2.2: "It cannot modify cohorts made on the dashboard or through the File Segment API."
  segment_cohort_not_owned: {
    status: 400,
    type: 'MissingAttributeError',
    message:
      'cohort_name {name} is a segment not made by Cohort Sync and cannot be changed through it',
    attribute: 'cohort_name',
  },
}

const INVALID_APP_KEY: Partial<WireError> = {
  status: 401,
  type: 'Authentication required',
  message: 'Invalid APP_KEY used in Authentication Header',
}

const SECRET_MISMATCH: Partial<WireError> = {
  status: 401,
  type: 'Authentication required',
  message: 'APP_SECRET key mismatch. Please login to the dashboard to verify key',
}

/** Codes of a workspace or user the Segments pages answer with `Invalid APP_KEY …`. */
const USER_CODES: readonly ErrorCode[] = [
  'auth_header_required',
  'auth_empty',
  'auth_not_basic',
  'auth_undecodable',
  'auth_username_missing',
  'invalid_app_id',
  'auth_unknown_app_id',
  'app_mismatch',
]

/** The 401 of Segments v2's pages (`{"title":"Authentication required","description":…}`). */
const FILE_AUTH: Partial<WireError> = { status: 401, type: 'Authentication required' }

/** Cohort Sync's 403s (moengage-cohort-audience-openapi.yml). */
const COHORT_SUSPENDED = 'Your account is suspended. Please contact MoEngage team.'

/**
 * The platform's codes as the family's pages word them: Segments v3 (`custom_segments`: every v3
 * route and Inlet's member reads), Segments v2 (`file_segments`: file segments, archive and
 * unarchive; E3) and Cohort Sync (`cohort_sync`: E1, the Data API's strings where its page
 * gives none).
 */
export const SEGMENT_ENDPOINTS: Readonly<
  Record<'custom_segments' | 'file_segments' | 'cohort_sync', Variants>
> = {
  file_segments: {
    ...sameFor([...USER_CODES, 'moe_appkey_mismatch'], {
      ...FILE_AUTH,
      message: INVALID_APP_KEY.message ?? '',
    }),
    ...sameFor(['auth_password_missing', 'key_not_set', 'key_mismatch'], {
      ...FILE_AUTH,
      message: SECRET_MISMATCH.message ?? '',
    }),
    ...sameFor(BODY_FORMAT_CODES, {
      status: 400,
      type: 'Invalid Request',
      message: INVALID_FORMAT.message,
    }),
    payload_too_large: { type: 'Invalid Request', message: 'The payload can not exceed {limit}' },
    rate_limit_exceeded: {
      type: 'Too Many Requests',
      message: 'API rate limit breached. Current limit: {quota_limit}/{window_minutes} mins',
    },
    method_not_allowed: { type: 'Method Not Allowed', message: 'Method not allowed' },
    internal: { type: 'Internal Server Error', message: '' },
  },
  cohort_sync: {
    auth_header_required: { type: 'Authentication required' },
    app_mismatch: { status: 401 },
    account_blacklisted: { status: 403, type: 'BlockedClient', message: COHORT_SUSPENDED },
    account_suspended: { message: COHORT_SUSPENDED },
    account_temporarily_suspended: {
      message: 'Your account is temporarily suspended. Please contact MoEngage team.',
    },
    content_type_missing: {
      status: 415,
      type: 'Unsupported media type',
      message: 'Content type is not supported',
    },
    unsupported_media_type: {
      type: 'Unsupported media type',
      message: 'Content type is not supported',
    },
    payload_too_large: { type: 'Payload too large', message: 'Payload can not exceed {limit}' },
    rate_limit_exceeded: {
      type: 'Rate Limits Exceeded',
      message: 'Rate limits for customers exceeded. Please Try After Some Time',
    },
    internal: { type: 'Server Error', message: SERVER_ERROR_MESSAGE },
  },
  custom_segments: {
    ...sameFor(USER_CODES, INVALID_APP_KEY),
    ...sameFor(['auth_password_missing', 'key_not_set', 'key_mismatch'], SECRET_MISMATCH),
    ...sameFor(['moe_appkey_missing', 'moe_appkey_mismatch'], {
      status: 400,
      type: 'Request Error',
      message:
        'MoEngage Client not found. Please check values for headers - MOE-APPKEY or MOE-DBNAME',
    }),
    ...sameFor(BODY_FORMAT_CODES, { status: 400, ...INVALID_FORMAT }),
    payload_too_large: {
      type: 'Query length limit exceeded',
      message: 'The query is too large to execute. Please reduce the filters.',
    },
    rate_limit_exceeded: {
      type: 'Too Many Requests',
      message: 'API rate limit breached. Current limit: {quota_limit}/{window_minutes} mins',
    },
    internal: { type: 'Internal Server Error', message: SERVER_ERROR_MESSAGE },
  },
}
