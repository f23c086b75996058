/**
 * The Data API family's catalogue entries — verbatim from the spec (moengage-data-api.md §4.4 and
 * §7): defaults follow the newest overview table (§4.4); the per-endpoint pages that document
 * other strings for the same condition are in data-endpoints.ts.
 */
import type { ErrorCode } from '../errors.js'
import type {
  AdminErrorCode,
  ConsentErrorCode,
  DashboardErrorCode,
  SegmentErrorCode,
  InformErrorCode,
  OutboxErrorCode,
  PushErrorCode,
  LiveActivityErrorCode,
  ArchivalErrorCode,
  FileImportErrorCode,
  CardsErrorCode,
  WireError,
} from './types.js'

export const SERVER_ERROR_MESSAGE =
  'An unexpected error was encountered while processing this request. Please contact MoEngage Team'

export const MALFORMED_JSON_MESSAGE =
  'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.'

/** The Data family's entries: every code but those of the families with catalogues of their own. */
export const WIRE_ERRORS: Readonly<
  Record<
    Exclude<
      ErrorCode,
      | AdminErrorCode
      | DashboardErrorCode
      | ConsentErrorCode
      | SegmentErrorCode
      | InformErrorCode
      | OutboxErrorCode
      | PushErrorCode
      | LiveActivityErrorCode
      | ArchivalErrorCode
      | FileImportErrorCode
      | CardsErrorCode
    >,
    WireError
  >
> = {
  // Inlet's own: the spec has no JSON for these; they use the standard envelope.
  route_not_found: { status: 404, type: 'Not Found', message: 'Resource not found' },
  method_not_allowed: { status: 405, type: 'Method Not Allowed', message: 'Method not allowed' },
  // spec §2.3, §4.4
  params_required: {
    status: 400,
    type: 'ParamsRequired',
    message: 'app_id is required in path/query params.',
  },
  auth_header_required: {
    status: 401,
    type: 'Authentication Required',
    message: 'Authentication Header Required',
  },
  auth_empty: {
    status: 401,
    type: 'Authentication required',
    message: 'No identity information found',
  },
  // spec §4.4, Merge page variant: a scheme other than Basic
  auth_not_basic: {
    status: 401,
    type: 'Authentication required',
    message: "Invalid authorization used. MoEngage only supports 'Basic Auth' authorization.",
  },
  auth_undecodable: {
    status: 401,
    type: 'Authentication required',
    message: 'Invalid identity information found',
  },
  auth_username_missing: {
    status: 401,
    type: 'Authentication required',
    message: 'APP_KEY missing in the authentication header',
  },
  auth_password_missing: {
    status: 401,
    type: 'Authentication required',
    message: 'APP_SECRET missing in the authentication header',
  },
  // Inlet's own (the spec is silent): too many failed authentications from one address.
  auth_rate_limited: {
    status: 429,
    type: 'Rate Limit Exceeded',
    message: 'Too many failed authentication attempts. Please retry later.',
  },
  invalid_app_id: { status: 400, type: 'InvalidParams', message: 'Given app_id is invalid.' },
  auth_unknown_app_id: {
    status: 401,
    type: 'Authentication required',
    message: 'Invalid APP_ID used in Authentication Header',
  },
  key_not_set: {
    status: 409,
    type: 'Authentication required',
    message: 'App Secret key is not set. Please login to the dashboard to set a key',
  },
  key_mismatch: {
    status: 401,
    type: 'Authentication required',
    message: 'App Secret key mismatch. Please login to the dashboard to verify key',
  },
  app_mismatch: {
    status: 409,
    type: 'Authentication Mismatch',
    message: 'App key mismatch in params and authentication',
  },
  moe_appkey_mismatch: {
    status: 401,
    type: 'Authentication required',
    message: "MOE_APPKEY doesn't match the Username (APP_KEY) used in Basic Auth authorization.",
  },
  // spec §7.7 (Merge page), §7.11: Test connection requires the header
  moe_appkey_missing: {
    status: 401,
    type: 'Authentication required',
    message: 'MOE-APPKEY is missing in Header',
  },
  // Inlet's own, worded like the Data key's 409 and 401 (spec §4.4): a family authenticated by
  // another feature's key (http/auth.ts); `{feature}` is the key's tile name (Push, Inform, …)
  feature_key_not_set: {
    status: 409,
    type: 'Authentication required',
    message: '{feature} API key is not set. Please ask the workspace operator to set a key',
  },
  feature_key_mismatch: {
    status: 401,
    type: 'Authentication required',
    message: '{feature} API key mismatch. Please verify the key of this API',
  },
  // Push v2 (moengage-other-apis.md §2.8: "Signature missing or not verified"): the body's
  // signature, sha256 of appId|campaignName|Push API key
  signature_missing: {
    status: 401,
    type: 'Authentication required',
    message: 'Signature missing',
  },
  signature_mismatch: {
    status: 401,
    type: 'Authentication required',
    message: 'Signature not verified',
  },
  account_blacklisted: {
    status: 400,
    type: 'Blacklisted',
    message: 'Your account is blacklisted, Please contact MoEngage.',
  },
  account_suspended: { status: 403, type: 'Account Suspended', message: 'Account Suspended' },
  account_temporarily_suspended: {
    status: 403,
    type: 'Account Temporarily Suspended',
    message: 'Account Temporarily Suspended',
  },
  content_type_missing: {
    status: 400,
    type: 'Missing header value',
    message: 'The Content-Type Header is required',
  },
  unsupported_media_type: {
    status: 415,
    type: 'Unsupported Media Type',
    message: 'Unsupported Media Type',
  },
  payload_too_large: {
    status: 413,
    type: 'Payload too large',
    message: 'The payload can not exceed {limit}',
  },
  empty_body: {
    status: 400,
    type: 'Empty request body',
    message: 'A valid JSON document is required',
  },
  malformed_json: { status: 400, type: 'Malformed JSON', message: MALFORMED_JSON_MESSAGE },
  body_not_object: {
    status: 400,
    type: 'Body type is not JSON',
    message: 'A valid JSON document is required.',
  },
  // Inlet's own (the spec is silent): nesting past json-body.ts MAX_JSON_DEPTH.
  body_too_deep: {
    status: 400,
    type: 'Malformed JSON',
    message: 'The JSON document is nested too deeply (at most {limit} levels).',
  },
  // Inlet's own (the spec is silent): json-body.ts containsNulEscape; no store keeps U+0000.
  body_has_nul: {
    status: 400,
    type: 'Malformed JSON',
    message: 'The JSON document contains the NUL character (\\u0000), which cannot be stored.',
  },
  // Inlet's own: http/nul.ts refuseNulInUrl, before routing and authentication.
  url_has_nul: {
    status: 400,
    type: 'Bad Request',
    message: 'The URL contains the NUL character (%00), which no id or parameter may hold.',
  },
  // spec §4.4 (overview table) and §5.1: a per-minute quota would be exceeded
  rate_limit_exceeded: {
    status: 429,
    type: 'Rate Limit Exceeded',
    message: 'Rate Limits for User / Event exceeded',
  },
  // spec §4.4 MissingAttributeError pattern, §6.1 non-string customer_id
  attribute_type: {
    status: 400,
    type: 'MissingAttributeError',
    message: '{key} is expected to be {datatype}',
    attribute: '{key}',
  },
  // spec §6.1, §7.1
  customer_id_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'customer_id is not found in the payload',
    attribute: 'customer_id',
  },
  customer_id_empty: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'customer_id can not be empty Unicode String',
    attribute: 'customer_id',
  },
  // Inlet's own (spec §6.1 gives an id no length; §8.3 bounds names and strings): an id or an
  // event name longer than its bound in wire/limits.ts, in characters; Get User's LimitBreached
  field_too_long: {
    status: 400,
    type: 'LimitBreached',
    message: '{key} can not exceed {limit} characters',
    attribute: '{key}',
  },
  // spec §7.2
  actions_empty: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'actions can not be empty Array',
    attribute: 'actions',
  },
  action_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'action is not found in the payload',
    attribute: 'action',
  },
  action_empty: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'action cannot be empty Unicode string',
    attribute: 'action',
  },
  action_not_object: { status: 400, type: 'Malformed JSON', message: MALFORMED_JSON_MESSAGE },
  // spec §7.4 (the device page quotes its key names)
  device_id_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: "'device_id' is not found in the payload",
    attribute: 'device_id',
  },
  device_attributes_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: "'attributes' is not found in the payload",
    attribute: 'attributes',
  },
  device_platform_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: "'platform' is not found in payload",
    attribute: 'platform',
  },
  device_platform_invalid: {
    status: 400,
    type: 'ValueError',
    message: "'platform' is not a valid platform.",
    attribute: 'platform',
  },
  device_push_id_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: "'push_id' is not found in payload",
    attribute: 'push_id',
  },
  // spec §7.3 (the leading apostrophe is in the source)
  elements_empty: {
    status: 400,
    type: 'MissingAttributeError',
    message: "'elements cannot be empty array",
    attribute: 'elements',
  },
  // Inlet's own (the spec documents no string for a Bulk body whose type is not transition)
  bulk_type_invalid: {
    status: 400,
    type: 'AttributeError',
    message: 'type should be transition',
    attribute: 'type',
  },
  element_type_invalid: {
    status: 400,
    type: 'AttributeError',
    message: "'type in elements should be customer/event/device",
    attribute: 'type',
  },
  element_not_object: {
    status: 400,
    type: 'Malformed JSON',
    message: "'Could not decode the request body. The JSON was incorrect or not decoded as UTF-8.",
  },
  // spec §7.6
  export_data_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'data is not found in the payload',
    attribute: 'data',
  },
  export_identifiers_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'identifiers is not found in the payload',
    attribute: 'identifiers',
  },
  export_identifiers_limit: {
    status: 400,
    type: 'LimitBreached',
    message: 'max limit allowed is 20',
    attribute: 'users',
  },
  // Inlet's own (the spec is silent): an identifier entry that is not {identifier_type, identifier}
  export_identifier_invalid: {
    status: 400,
    type: 'ValueError',
    message: "identifier_type should be one of ['customer_id', 'id', 'moengage_id']",
    attribute: 'identifier_type',
  },
  // spec §7.7 documents only the merged_user type error; the rest follow its MissingAttributeError
  // pattern and Get User's LimitBreached (docs/compatibility.md). field_missing also serves §7.11.
  merge_data_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'merge_data is not found in the payload',
    attribute: 'merge_data',
  },
  merge_data_empty: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'merge_data can not be empty Array',
    attribute: 'merge_data',
  },
  merge_data_limit: {
    status: 400,
    type: 'LimitBreached',
    message: 'max limit allowed is 50',
    attribute: 'merge_data',
  },
  field_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: '{key} is not found in the payload',
    attribute: '{key}',
  },
  // spec §6.2/§7.7: Merge Users is disabled under Identity Resolution; the error is undocumented
  merge_disabled: {
    status: 400,
    type: 'InvalidParams',
    message: 'Merge API is disabled for workspaces with User Identity Resolution enabled',
  },
  // Inlet's own: POST /inlet/v1/merges/{merge_id}/undo for an id this workspace has no merge with
  merge_not_found: {
    status: 404,
    type: 'Not Found',
    message: 'There is no merge {merge_id} in this workspace',
  },
  // spec §7.8: the existence check is synchronous; `{identity}` is "customer id" or "id"
  user_not_found: {
    status: 400,
    type: 'Not Found',
    message: "User doesn't exists with {identity} {value}",
  },
  // Inlet's own (the spec names the two types, not the error): Get User's wording
  delete_identity_type_invalid: {
    status: 400,
    type: 'ValueError',
    message: "identity_type should be one of ['customer_id', 'id', 'moengage_id']",
    attribute: 'identity_type',
  },
  // spec §7.5 (the documented strings, including the other key name and the capital A)
  opt_out_user_type_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'customer_identifier_type is not found in the payload',
    attribute: 'user_identifier_type',
  },
  opt_out_action_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'Action_type is not found in the payload',
    attribute: 'action_type',
  },
  opt_out_devices_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: 'device_identifiers is missing in the payload',
    attribute: 'device_identifiers',
  },
  opt_out_device_key_invalid: {
    status: 400,
    type: 'ValueError',
    message:
      "device identifier can only be in ['moe_gaid', 'push_id', 'unique_id', 'device_unique_id'] ",
    attribute: 'device_identifiers',
  },
  // Inlet's own, in the same style (the spec lists the values, not the error)
  opt_out_action_invalid: {
    status: 400,
    type: 'ValueError',
    message: "action_type should be one of ['block', 'unblock']",
    attribute: 'action_type',
  },
  opt_out_user_type_invalid: {
    status: 400,
    type: 'ValueError',
    message: "user_identifier_type should be one of ['customer_id']",
    attribute: 'user_identifier_type',
  },
  // spec §7.1, §8.4
  array_field_conflict: {
    status: 400,
    type: 'ArrayFieldError',
    message: "Cannot add and remove '{key}' at the same time",
    attribute: 'addValueToArrayField',
  },
  // Inlet's own (spec §8.6 documents the rule format but no error for a malformed rule)
  unset_attributes_invalid: {
    status: 400,
    type: 'ValueError',
    message: '{detail}',
    attribute: 'unset_attributes',
  },
  // Inlet's own (spec §6.3: handling of an unknown project_code is undocumented)
  project_code_invalid: {
    status: 400,
    type: 'InvalidParams',
    message: "project_code '{code}' is not a project of this workspace",
    attribute: 'project_code',
  },
  // Inlet's own (MoEngage has no idempotency keys): the `Idempotency-Key` header of an ingest request
  idempotency_key_invalid: {
    status: 400,
    type: 'InvalidParams',
    message:
      'Idempotency-Key should be 16 to 100 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"',
    attribute: 'Idempotency-Key',
  },
  // Inlet's own (spec §7.12 documents only the two missing-key 400s): a GDPR body value that is
  // present but unusable — the `detail` names the rule
  gdpr_value_invalid: {
    status: 400,
    type: 'ValueError',
    message: '{detail}',
    attribute: '{key}',
  },
  // Inlet's own (spec §7.10 lists the parameters and a generic 400, no strings)
  install_param_missing: {
    status: 400,
    type: 'MissingAttributeError',
    message: '{key} is required in query params.',
    attribute: '{key}',
  },
  // Inlet's own (spec §7.10: authenticated by appAttributionKey instead of Basic auth), worded
  // like the Data key's 409 and 401 (spec §4.4)
  attribution_key_not_set: {
    status: 409,
    type: 'Authentication required',
    message:
      'App attribution key is not set. Please set it on the dashboard (Settings > Analytics > Acquisition Tracking)',
    attribute: 'appAttributionKey',
  },
  attribution_key_mismatch: {
    status: 401,
    type: 'Authentication required',
    message: 'App attribution key mismatch. Please login to the dashboard to verify key',
    attribute: 'appAttributionKey',
  },
  // Inlet's own: GET /inlet/v1/gdpr/{request_id} for an id this workspace never sent
  gdpr_request_not_found: {
    status: 404,
    type: 'Not Found',
    message: "No GDPR request with id '{request_id}' was received by this workspace",
    attribute: 'request_id',
  },
  // Inlet's own: GET /inlet/v1/requests/{request_id} for an id this workspace never received
  request_not_found: {
    status: 404,
    type: 'Not Found',
    message: "No request with id '{request_id}' was received by this workspace",
    attribute: 'request_id',
  },
  service_unavailable: {
    status: 503,
    type: 'Service Unavailable',
    message: 'The server is shutting down or overloaded. Please retry.',
  },
  // Inlet's own: load shed (ingestion lag or memory past its bound); Retry-After is sent.
  overloaded: {
    status: 503,
    type: 'Service Unavailable',
    message: 'The server is shutting down or overloaded. Please retry.',
  },
  // Inlet's own: the store refused the write or read (disk full, database unreachable).
  store_unavailable: {
    status: 503,
    type: 'Service Unavailable',
    message: 'The data store is unavailable. Please retry.',
  },
  internal: { status: 500, type: 'Server Error', message: SERVER_ERROR_MESSAGE },
}
