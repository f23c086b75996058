/**
 * The consent family's catalogue (moengage-other-apis.md §2.10; the OpenAPI files
 * moengage-subscription-categories-openapi.yml and moengage-email-subscription-openapi.yml): its
 * own `consent_*` entries and, per endpoint group, the strings its pages document for the
 * platform's codes (authentication, rate limits, the 500). Three groups, three envelopes
 * (http/envelopes.ts `consentEnvelope`): `categories` answers `{title, description}` (an entry
 * without a title: `{message}`), `optin` `{error:{code, message, details:{target, message}}}`
 * (`detail` is `details.message`), `resubscribe` `{response_id, error:{message, err_code}}`
 * (`type` is the `err_code`). Strings the pages do not give are Inlet's, in their pages' manner.
 */
import {
  sameFor,
  type ConsentEndpoint,
  type ConsentErrorCode,
  type Variants,
  type WireError,
} from './types.js'
import type { ErrorCode } from '../errors.js'

/** Email opt-in's 400 `error.message` (the example of a type error ends with a full stop). */
const INVALID = 'Request Data is invalid'

/** The consent family's own entries, worded as Subscription categories answers them. */
export const CONSENT_ERRORS: Readonly<Record<ConsentErrorCode, WireError>> = {
  // The GET's only documented 400 is a bare {"message"} body: an entry without a title.
  consent_params_invalid: { status: 400, type: '', message: 'Invalid Params Received' },
  consent_link_secret_missing: {
    status: 409,
    type: 'API SECRET not configured',
    message:
      'This response is returned when the authorization fails due to the APP SECRET key not being set on the Dashboard.',
  },
  consent_categories_required: {
    status: 400,
    type: 'Categories Required',
    message: 'Categories Preferences Required',
  },
  consent_payload_limit: {
    status: 400,
    type: 'Payload Limit Exceeded',
    message: 'Payload limit is set to {limit}',
  },
  consent_field_required: {
    status: 400,
    type: 'Invalid Field Value',
    message: '{key} - Field is required but value is None',
    attribute: '{key}',
  },
  consent_field_invalid: {
    status: 400,
    type: 'Invalid Field Value',
    message: '{detail}',
    attribute: '{key}',
  },
  consent_wrong_type: {
    status: 400,
    type: 'Invalid Field Value',
    message:
      "Wrong data type was used for <{key}> - Value must be of type ({expected},), passed type: <class '{got}'> : {value}.",
    attribute: '{key}',
  },
  consent_extra_key: {
    status: 400,
    type: 'Invalid Field Value',
    message: 'Extra key passed in the request',
    attribute: "['{key}']",
  },
  consent_channel_invalid: {
    status: 400,
    type: 'Invalid Field Value',
    message:
      "Channel can only be ['email'] (case-insensitive). Please provide the correct channel.",
    attribute: 'channel',
  },
  consent_id_or_email_missing: {
    status: 400,
    type: '400 Bad Request',
    message: INVALID,
    attribute: 'customer_id or email_id',
    detail: 'Either customer_id or email_id is mandatory. Please provide at least one of them.',
  },
  consent_opt_in_status_invalid: {
    status: 400,
    type: '400 Bad Request',
    message: INVALID,
    attribute: 'opt_in_status',
    detail:
      "Opt-In status can only be 'DOUBLE_OPTED_IN' or 'OPTED_OUT' or 'OPT_IN_PENDING' (case-insensitive). Please provide the correct value.",
  },
  consent_no_active_categories: {
    status: 400,
    type: 'Invalid Field Value',
    message:
      'There are no active categories found. Please remove the categories from the request data or setup the subscription categories in MoEngage Email settings.',
    attribute: 'categories',
  },
  consent_categories_invalid: {
    status: 400,
    type: 'Invalid Field Value',
    message:
      'Categories {names} are either invalid or not active in the Workspace. Please check the categories in the request.',
    attribute: 'categories',
  },
  consent_categories_all_invalid: {
    status: 400,
    type: 'Invalid Field Value',
    message:
      'All provided categories are either invalid or not active in the Workspace. Please check the categories in the request.',
    attribute: 'categories',
  },
  consent_user_not_found: {
    status: 400,
    type: 'User Not Found',
    message: 'No users found with the provided customer_id {ids}. Please check the same.',
    attribute: 'customer_id',
  },
  consent_recipients_missing: {
    status: 400,
    type: 'BadRequest',
    message:
      'Request_Body is mandatory. Kindly add request_body and the desired fields in the API payload.',
  },
  consent_recipients_empty: {
    status: 400,
    type: 'InvalidInput',
    message: "Add at least one email address as part of the 'Recipients'",
  },
  consent_recipient_invalid: {
    status: 400,
    type: 'InvalidInput',
    message:
      "Please provide input in a valid email address format (example@domain.com) as part of 'Recipients'.",
  },
  consent_esp_settings: {
    status: 400,
    type: 'InvalidSettings',
    message: 'Valid email settings not present',
  },
}

const CREDENTIAL_CODES = [
  'auth_header_required',
  'auth_empty',
  'auth_not_basic',
  'auth_undecodable',
  'auth_username_missing',
  'auth_password_missing',
] as const satisfies readonly ErrorCode[]

/** An opt-in 400: `error.message` "Request Data is invalid", the detail the base message. */
const optIn400 = (detail: string, attribute?: string): Partial<WireError> => ({
  type: '400 Bad Request',
  message: INVALID,
  detail,
  ...(attribute === undefined ? {} : { attribute }),
})

/** The strings of the platform's codes and of the family's own, per endpoint group. */
export const CONSENT_ENDPOINTS: Readonly<Record<ConsentEndpoint, Variants>> = {
  categories: {
    ...sameFor(CREDENTIAL_CODES, {
      type: 'Authentication required',
      message: 'No identity information found.',
    }),
    moe_appkey_missing: { type: 'Header required', message: 'MOE-APPKEY missing in Header' },
    moe_appkey_mismatch: {
      status: 400,
      type: 'Internal App Key',
      message: 'Valid App-Key required to process',
    },
    key_not_set: {
      type: 'API SECRET not configured',
      message:
        'This response is returned when the authorization fails due to the APP SECRET key not being set on the Dashboard.',
    },
    rate_limit_exceeded: {
      type: 'Rate-Limit Reached',
      message: 'Exceeded rate limit for this url',
    },
    internal: { type: 'Internal Error', message: 'Please Contact Moengage Team' },
  },
  optin: {
    auth_header_required: {
      type: '401 Unauthorized',
      message: 'Authentication failed.',
      attribute: 'Authorization Header',
      detail: 'Authorization header is missing',
    },
    ...sameFor(CREDENTIAL_CODES.slice(1), {
      type: '401 Unauthorized',
      message: 'Authentication failed',
      attribute: 'Authorization Header',
      detail: 'Authorization header is not Basic auth with the Workspace ID and the Data API Key',
    }),
    ...sameFor(['key_mismatch', 'key_not_set'], {
      status: 401,
      type: '401 Unauthorized',
      message: 'Authentication failed',
      attribute: 'Data key',
      detail: 'Data API key is wrong. Please provide correct Data API Key as password.',
    }),
    ...sameFor(['auth_unknown_app_id', 'invalid_app_id'], {
      type: '401 Unauthorized',
      message: 'Authentication failed',
      attribute: 'Workspace ID',
      detail: 'Workspace ID is wrong. Please provide correct Workspace ID as username.',
    }),
    ...sameFor(['moe_appkey_missing', 'moe_appkey_mismatch'], {
      status: 401,
      type: '401 Unauthorized',
      message: 'Authentication failed',
      attribute: 'MOE-APPKEY',
      detail: 'MOE-APPKEY header is missing or does not match the Workspace ID used as username.',
    }),
    // "There is no response body for this error" (the envelope sends none for a 429).
    rate_limit_exceeded: { type: '429 Too Many Requests', message: '' },
    internal: {
      type: '500 Internal Server Error',
      message: 'Something went wrong, Please contact MoEngage Team.',
    },
    consent_field_required: optIn400('{key} is mandatory.', '{key}'),
    consent_field_invalid: optIn400('{detail}', '{key}'),
    consent_wrong_type: {
      type: '400 Bad Request',
      message: `${INVALID}.`,
      detail:
        "Wrong data type was used for <{key}> - Value must be of type ({expected},), passed type: <class '{got}'> : {value}.",
    },
    consent_extra_key: optIn400('Extra key passed in the request'),
    consent_channel_invalid: optIn400(
      "Channel can only be ['email'] (case-insensitive). Please provide the correct channel.",
    ),
    consent_no_active_categories: optIn400(
      'There are no active categories found. Please remove the categories from the request data or setup the subscription categories in MoEngage Email settings.',
    ),
    consent_categories_invalid: optIn400(
      'Categories {names} are either invalid or not active in the Workspace. Please check the categories in the request.',
    ),
    consent_categories_all_invalid: optIn400(
      'All provided categories are either invalid or not active in the Workspace. Please check the categories in the request.',
    ),
    consent_user_not_found: optIn400(
      'No users found with the provided customer_id or email_id. Please check the same.',
      'customer_id or email_id',
    ),
  },
  resubscribe: {
    moe_appkey_mismatch: { type: 'HeaderMismatch' },
    auth_password_missing: {
      type: 'AuthenticationMissing',
      message: 'Password (APP_SECRET) is missing in the Basic Auth authorization.',
    },
    method_not_allowed: {
      type: 'MethodNotAllowed',
      message: 'This API only supports the POST method. Kindly update the method and retry again.',
    },
    content_type_missing: {
      status: 415,
      type: 'HeaderMissing',
      message:
        "The header 'Content-Type' is missing. Kindly provide the header 'Content-Type' and set it as 'application/json'",
    },
    rate_limit_exceeded: { type: 'TooManyRequests', message: 'Rate limit exceeded' },
    internal: { type: 'INTERNAL_SERVER_ERROR', message: 'Please Contact Moengage Team' },
    consent_payload_limit: { type: 'BadRequest' },
    consent_field_required: { type: 'InvalidFieldValue' },
    consent_field_invalid: { type: 'InvalidFieldValue' },
    consent_wrong_type: { type: 'InvalidFieldValue' },
    consent_extra_key: {
      type: 'InvalidFieldValue',
      message: 'Extra key passed in the request: {key}',
    },
  },
}
