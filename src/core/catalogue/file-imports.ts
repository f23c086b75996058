/**
 * The File Imports family's catalogue (spec §7.9; moengage-data-openapi.yml "File Import"), in
 * its envelope (http/envelopes.ts fileImportsEnvelope), which differs by status as the pages do:
 * a trigger's 400 `{"status":"fail","error_type","message"}`, the status and history 400
 * `{"status":"FAILURE","error_type","message"}` (and `{"success":false,"status_code":"400 Bad
 * Request","data":"Unable to process the request"}` for a value it cannot take), 401 and 415
 * `{"title","description"}` (history's 415 `error_description`), 403 and 429 E1, 405 `{"status":
 * "fail","message"}` (the trigger's 404 too; status and run history's `{"status":"fail","data"}`),
 * 500 `{"title","description","code"}`. The documented strings are verbatim; run history answers
 * a bad offset as its page's example does, with its "Import Doesn't Exist" 400.
 * The platform's codes are answered under the endpoints `file_imports` (trigger),
 * `file_imports_status` and `file_imports_history`.
 */
import {
  BODY_FORMAT_CODES,
  DATA_KEY_CREDENTIAL_CODES,
  sameFor,
  type FileImportErrorCode,
  type Variants,
  type WireError,
} from './types.js'

/** The type of the 400 answered in the `{success, status_code, data}` shape. */
export const UNPROCESSABLE_TYPE = '400 Bad Request'

/** The File Imports family's own entries. */
export const FILE_IMPORT_ERRORS: Readonly<Record<FileImportErrorCode, WireError>> = {
  file_import_not_found: {
    status: 400,
    type: 'NOT_FOUND',
    message: 'This import is either deleted or expired.',
  },
  file_import_recent: {
    status: 400,
    type: 'ALREADY_EXISTS',
    message: 'Import has run in the last 5 min.',
  },
  file_import_date_format: {
    status: 400,
    type: 'Invalid Date format',
    message:
      "The provided date format is either incorrect or doesn't match the entered dates. Please ensure both the dates and the format are valid.",
  },
  file_import_offset: {
    status: 400,
    type: 'Invalid Offset Value',
    message:
      'The offset value you have provided is not valid. Please review and correct the offset.',
  },
  file_import_date_range: {
    status: 400,
    type: 'Difference exceeds 30 days',
    message:
      'Please note that only imports with a date difference of 30 can be displayed. Kindly adjust the dates accordingly.',
  },
  file_import_unprocessable: {
    status: 400,
    type: UNPROCESSABLE_TYPE,
    message: 'Unable to process the request',
  },
  file_import_history_not_found: {
    status: 400,
    type: "Import Doesn't Exist",
    message: 'No import exist in the database with the given query parameters.',
  },
}

/** The platform's codes as the three endpoints answer them. */
const PLATFORM: Variants = {
  ...sameFor(DATA_KEY_CREDENTIAL_CODES, {
    status: 401,
    type: 'AuthenticationInvalid',
    message:
      "Password (APP_KEY) doesn't match the one available on the dashboard. Kindly ensure the same APP_KEY available on the dashboard is used.",
  }),
  moe_appkey_missing: {
    status: 401,
    type: 'HeaderMissing',
    message: 'MOE-APPKEY is missing in Header',
  },
  moe_appkey_mismatch: {
    status: 401,
    type: 'HeaderMismatch',
    message: "MOE_APPKEY doesn't match the Username (APP_KEY) used in Basic Auth authorization",
  },
  ...sameFor(['account_blacklisted', 'account_suspended', 'account_temporarily_suspended'], {
    status: 403,
    type: 'BlockedClient',
    message: 'Your account is suspended. Please contact MoEngage team.',
  }),
  ...sameFor(['content_type_missing', 'unsupported_media_type'], {
    status: 415,
    type: 'Unsupported media type',
    message: 'Content type is not supported',
  }),
  ...sameFor(
    BODY_FORMAT_CODES.filter((c) => c !== 'content_type_missing' && c !== 'unsupported_media_type'),
    { status: 400, type: UNPROCESSABLE_TYPE, message: 'Unable to process the request' },
  ),
  method_not_allowed: { status: 405, type: 'fail', message: 'Method not allowed' },
  // Another path under the prefix (the trigger page's 404; status and run history's below).
  route_not_found: { status: 404, type: 'fail', message: 'Resource not found' },
  rate_limit_exceeded: {
    status: 429,
    type: 'Rate Limits Exceeded',
    message: 'Rate limits exceeded, please try after some time',
  },
  internal: {
    status: 500,
    type: 'Server Error',
    message:
      'An unexpected error was encountered while processing this request. Please contact MoEngage Team.',
  },
}

export const FILE_IMPORT_ENDPOINTS: Readonly<
  Record<'file_imports' | 'file_imports_status' | 'file_imports_history', Variants>
> = {
  file_imports: PLATFORM,
  // Another path under …/fileimports/import/ (answered as status): the status and run-history
  // pages' 404.
  file_imports_status: { ...PLATFORM, route_not_found: { message: 'Resource not found.' } },
  file_imports_history: {
    ...PLATFORM,
    route_not_found: { message: 'Resource not found.' },
    // The page's `incorrect_offset_value` example: an offset past the runs is "no import".
    file_import_offset: {
      type: "Import Doesn't Exist",
      message: 'No import exist in the database with the given query parameters.',
    },
    file_import_date_format: {
      message:
        'The date entered is not in the correct format. Please ensure you are using the ISO 8601 format which should look like this: YYYY-MM-DDTHH:MM:SS.ssssss. Please check this and try again.',
    },
  },
}
