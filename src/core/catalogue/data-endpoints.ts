/**
 * The Data API family's per-endpoint strings: where an endpoint's own page of the spec (§7)
 * documents other text for a condition than the overview table (§4.4) the entries follow.
 */
import type { ErrorCode } from '../errors.js'
import { MALFORMED_JSON_MESSAGE } from './data.js'
import type { DataEndpoint, WireError } from './types.js'

/** Per-endpoint strings where an endpoint's own page documents different text (spec §7). */
export const OVERRIDES: Readonly<
  Partial<Record<DataEndpoint, Partial<Record<ErrorCode, Partial<WireError>>>>>
> = {
  // spec §7.7: the Merge page documents its own text for most gateway conditions (verbatim,
  // including the three spaces of its malformed-JSON message and the trailing dots)
  merge: {
    malformed_json: {
      message:
        'Could not decode the request body. The JSON was incorrect or not   encoded as UTF-8.',
    },
    invalid_app_id: { message: 'given app_id is invalid/blocked' },
    content_type_missing: { message: 'The Content-Type Header is required.' },
    auth_empty: { message: 'Authorization details are missing' },
    auth_username_missing: {
      message: 'Username (APP_KEY) is missing in the Basic Auth authorization.',
    },
    auth_password_missing: {
      message: 'Password (APP_SECRET) is missing in the Basic Auth authorization.',
    },
    account_temporarily_suspended: {
      type: 'Account Temporarily Suspended.',
      message: 'Account Temporarily Suspended.',
    },
    key_not_set: {
      type: 'Authentication required.',
      message: 'App Secret key is not set. Please login to the dashboard to set a key.',
    },
    app_mismatch: {
      type: 'Authentication required.',
      message: 'App key mismatch in params and authentication.',
    },
    payload_too_large: { type: 'PayloadTooLarge' },
    unsupported_media_type: {
      type: 'MediaTypeError',
      message:
        "The header 'Content-Type' is missing. Kindly provide the header 'Content-Type' and set it as 'application/json'",
    },
  },
  // spec §7.8: the Delete page answers an unknown workspace id with 403
  delete: {
    invalid_app_id: { status: 403, message: 'given app_id is invalid/blocked' },
  },
  // spec §7.12: the GDPR page documents the Variant A texts of §4.4 (verbatim, trailing dots)
  gdpr: {
    auth_empty: { message: 'No identity information found.' },
    account_blacklisted: {
      status: 403,
      type: 'BlockedClient',
      message: 'Your account is suspended. Please contact MoEngage team.',
    },
    account_suspended: { message: 'Your account is suspended. Please contact MoEngage team.' },
    account_temporarily_suspended: {
      message: 'Your account is temporarily suspended. Please contact MoEngage team.',
    },
    payload_too_large: { message: 'Payload can not exceed 128KB.' },
    unsupported_media_type: {
      type: 'Unsupported media type',
      message: 'Content type is not supported',
    },
    // (No 429: the spec gives GDPR requests no quota, so Inlet counts none.)
  },
  // spec §7.5: Device opt-out's own 413 text
  opt_out: {
    payload_too_large: { message: 'Payload cannot exceed 128KB' },
  },
  device: {
    customer_id_missing: { message: "'customer_id' is not found in the payload" },
  },
  bulk: {
    customer_id_missing: { message: "'customer_id not found in the payload" },
    action_missing: { message: "'action cannot be empty Unicode string" },
    action_empty: { message: "'action cannot be empty Unicode string" },
    malformed_json: { message: `'${MALFORMED_JSON_MESSAGE}` },
  },
}
