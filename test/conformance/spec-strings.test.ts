/**
 * Every `type` and `message` of the error catalogue (src/core/catalogue/, with its per-endpoint
 * overrides) is, character for character, a string of the spec — except the codes pinned below as
 * Inlet's own, for conditions the spec documents no string for (docs/errors.md says so for each).
 * Runs against the spec's copy in test/fixtures/moengage/ (checked by fixtures.test.ts).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.js'
import { ADMIN_ERRORS } from '../../src/core/catalogue/admin.js'
import { DASHBOARD_ERRORS } from '../../src/core/catalogue/dashboard.js'
import { WIRE_ERRORS } from '../../src/core/catalogue/data.js'
import { OVERRIDES } from '../../src/core/catalogue/data-endpoints.js'
import { OUTBOX_ERRORS } from '../../src/core/catalogue/outbox.js'
import { FILE_IMPORT_ERRORS } from '../../src/core/catalogue/file-imports.js'
import type {
  ConsentErrorCode,
  InformErrorCode,
  PushErrorCode,
  LiveActivityErrorCode,
  ArchivalErrorCode,
  CardsErrorCode,
  SegmentErrorCode,
  WireError,
} from '../../src/core/catalogue/types.js'

// The consent, segments, Inform, Push, Live Activities, Message Archival and Cards families' strings
// come from their OpenAPI files, replayed by consent-replay.test.ts, segments-replay.test.ts (which
// also checks each segments string), inform-replay.test.ts, push-replay.test.ts,
// live-activities-replay.test.ts, archival-replay.test.ts and cards-replay.test.ts.
const ENTRIES: Readonly<
  Record<
    Exclude<
      ErrorCode,
      | ConsentErrorCode
      | SegmentErrorCode
      | InformErrorCode
      | PushErrorCode
      | LiveActivityErrorCode
      | ArchivalErrorCode
      | CardsErrorCode
    >,
    WireError
  >
> = {
  ...WIRE_ERRORS,
  ...ADMIN_ERRORS,
  ...DASHBOARD_ERRORS,
  ...OUTBOX_ERRORS,
  ...FILE_IMPORT_ERRORS,
}

const SPEC_URL = new URL('../fixtures/moengage/moengage-data-api.md', import.meta.url)

/** Codes whose message (and, where marked, type) the spec does not document: Inlet's wording. */
const INLET_OWN: Readonly<Partial<Record<ErrorCode, 'message' | 'both'>>> = {
  method_not_allowed: 'both', // the File-import page's 405 text, in the standard envelope
  action_empty: 'message', // Bulk's string without its stray apostrophe, for Create Event
  field_too_long: 'message', // ids have no documented length (src/families/data/bodies/limits.ts)
  device_id_missing: 'message',
  bulk_type_invalid: 'message',
  export_identifier_invalid: 'message',
  merge_data_missing: 'message',
  merge_data_empty: 'message',
  merge_data_limit: 'message',
  merge_disabled: 'message',
  merge_not_found: 'both',
  delete_identity_type_invalid: 'message',
  opt_out_action_invalid: 'message',
  opt_out_user_type_invalid: 'message',
  project_code_invalid: 'message',
  idempotency_key_invalid: 'message',
  unset_attributes_invalid: 'message',
  request_not_found: 'both',
  admin_unauthorized: 'message',
  admin_invalid_input: 'message',
  admin_workspace_not_found: 'both',
  admin_workspace_exists: 'both',
  service_unavailable: 'both',
  auth_rate_limited: 'message', // Inlet's failed-auth limiting per source address
  body_too_deep: 'message',
  body_has_nul: 'message',
  url_has_nul: 'both',
  install_param_missing: 'message', // §7.10 lists its errors generically, with no strings
  attribution_key_not_set: 'message',
  attribution_key_mismatch: 'message',
  gdpr_request_not_found: 'message', // GET /inlet/v1/gdpr/{request_id}, an Inlet extension
  overloaded: 'both', // load shedding, an Inlet addition
  store_unavailable: 'both',
  // Feature-scoped keys and signatures (docs/auth.md): the families beyond Data
  feature_key_not_set: 'message',
  feature_key_mismatch: 'message',
  signature_missing: 'message', // Push's page has one reason for both: "Signature missing or not verified"
  signature_mismatch: 'message',
  admin_feature_key_exists: 'both',
  admin_secret_key_missing: 'message',
  admin_alert_not_found: 'both',
  admin_live_activity_not_found: 'both',
  admin_file_import_not_found: 'both',
  admin_card_campaign_not_found: 'both',
  outbox_filter_invalid: 'both', // GET /inlet/v1/outbox, an Inlet extension
  // The dashboard's (Inlet's web console): MoEngage's API has no such answers.
  dashboard_unauthorized: 'both',
  dashboard_sign_in_failed: 'both',
  dashboard_csrf: 'both',
  dashboard_operator_only: 'both',
  dashboard_not_found: 'both',
  dashboard_invalid_input: 'both',
}

/** `{placeholder}` templates match any text in their place. */
function matcher(template: string): (s: string) => boolean {
  if (!template.includes('{')) return (s) => s === template
  const pattern = template
    .split(/\{\w+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+')
  const re = new RegExp(`^${pattern}$`)
  return (s) => re.test(s)
}

it('every catalogue type and message is a string of the spec, unless pinned as Inlet’s own', () => {
  // Inline code spans of the spec, fenced blocks removed first so spans pair up.
  const spec = readFileSync(SPEC_URL, 'utf8').replace(/```[\s\S]*?```/g, '')
  const spans = [...spec.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '')
  // JSON bodies quoted inline (e.g. Delete's 400) hold their strings as JSON values.
  const values = spans.flatMap((s) => [...s.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? ''))
  const inSpec = (template: string): boolean => {
    const matches = matcher(template)
    return spans.some(matches) || values.some(matches)
  }
  const missing: string[] = []
  const wires: [string, ErrorCode, Partial<WireError>][] = [
    ...ERROR_CODES.filter((code) => Object.hasOwn(ENTRIES, code)).map(
      (code): [string, ErrorCode, Partial<WireError>] => [
        '',
        code,
        ENTRIES[code as keyof typeof ENTRIES], // filtered to ENTRIES' keys
      ],
    ),
    ...Object.entries(OVERRIDES).flatMap(([family, overrides]) =>
      Object.entries(overrides ?? {}).map(
        ([code, wire]): [string, ErrorCode, Partial<WireError>] => [
          `${family}/`,
          code as ErrorCode, // keys of a Partial<Record<ErrorCode, …>>
          wire,
        ],
      ),
    ),
  ]
  for (const [family, code, wire] of wires) {
    const own = INLET_OWN[code]
    if (wire.type !== undefined && own !== 'both' && !inSpec(wire.type)) {
      missing.push(`${family}${code} type ${JSON.stringify(wire.type)}`)
    }
    if (wire.message !== undefined && own === undefined && !inSpec(wire.message)) {
      missing.push(`${family}${code} message ${JSON.stringify(wire.message)}`)
    }
  }
  assert.deepEqual(missing, [])
  // Every pinned code is still one of Inlet's own: a code the spec now documents must be unpinned.
  const stale = Object.entries(INLET_OWN).filter(([code, own]) => {
    const wire = ENTRIES[code as keyof typeof ENTRIES] // INLET_OWN pins no consent code
    if (/^\{\w+\}$/.test(wire.message)) return false // a bare placeholder matches anything
    return own === 'both' ? inSpec(wire.type) && inSpec(wire.message) : inSpec(wire.message)
  })
  assert.deepEqual(
    stale.map(([code]) => code),
    [],
  )
})
