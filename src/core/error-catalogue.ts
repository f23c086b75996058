/**
 * The error catalogue: one entry per (API family, code) with the HTTP status, `type` (or the
 * family's code field), message and, for field errors, attribute. The Data family's entries are
 * verbatim from the spec (moengage-data-api.md §4.4 and §7): defaults follow the newest overview
 * table (§4.4); per-endpoint pages that document other strings for the same condition are applied
 * as overrides by endpoint. Each family's envelope (http/envelopes.ts) turns an entry into its
 * wire shape; http/error-handler.ts is the one place that does.
 */
import type { ErrorCode, ErrorParams } from './errors.js'
import { ADMIN_ERRORS } from './catalogue/admin.js'
import { CONSENT_ENDPOINTS, CONSENT_ERRORS } from './catalogue/consent.js'
import { DASHBOARD_ERRORS } from './catalogue/dashboard.js'
import { INFORM_ENDPOINTS, INFORM_ERRORS } from './catalogue/inform.js'
import { OUTBOX_ERRORS } from './catalogue/outbox.js'
import { PUSH_ENDPOINTS, PUSH_ERRORS } from './catalogue/push.js'
import { LIVE_ACTIVITY_ENDPOINTS, LIVE_ACTIVITY_ERRORS } from './catalogue/live-activities.js'
import { ARCHIVAL_ENDPOINTS, ARCHIVAL_ERRORS } from './catalogue/archival.js'
import { FILE_IMPORT_ENDPOINTS, FILE_IMPORT_ERRORS } from './catalogue/file-imports.js'
import { CARDS_ENDPOINTS, CARDS_ERRORS } from './catalogue/cards.js'
import { WIRE_ERRORS } from './catalogue/data.js'
import { OVERRIDES } from './catalogue/data-endpoints.js'
import { SEGMENT_ENDPOINTS, SEGMENT_ERRORS } from './catalogue/segments.js'
import {
  API_FAMILIES,
  type ApiFamilyName,
  type DataEndpoint,
  type FamilyCatalogue,
  type WireError,
} from './catalogue/types.js'

export const CATALOGUES: Readonly<Record<ApiFamilyName, FamilyCatalogue>> = {
  data: { errors: WIRE_ERRORS, endpoints: OVERRIDES },
  admin: { errors: ADMIN_ERRORS, inherits: 'data' },
  dashboard: { errors: DASHBOARD_ERRORS, inherits: 'data' },
  consent: { errors: CONSENT_ERRORS, endpoints: CONSENT_ENDPOINTS, inherits: 'data' },
  segments: { errors: SEGMENT_ERRORS, endpoints: SEGMENT_ENDPOINTS, inherits: 'data' },
  inform: { errors: INFORM_ERRORS, endpoints: INFORM_ENDPOINTS, inherits: 'data' },
  outbox: { errors: OUTBOX_ERRORS, inherits: 'data' },
  push: { errors: PUSH_ERRORS, endpoints: PUSH_ENDPOINTS, inherits: 'data' },
  live_activities: {
    errors: LIVE_ACTIVITY_ERRORS,
    endpoints: LIVE_ACTIVITY_ENDPOINTS,
    inherits: 'data',
  },
  archival: { errors: ARCHIVAL_ERRORS, endpoints: ARCHIVAL_ENDPOINTS, inherits: 'data' },
  file_imports: {
    errors: FILE_IMPORT_ERRORS,
    endpoints: FILE_IMPORT_ENDPOINTS,
    inherits: 'data',
  },
  cards: { errors: CARDS_ERRORS, endpoints: CARDS_ENDPOINTS, inherits: 'data' },
}

/**
 * The entry of `code` in `family`'s catalogue (or the one it inherits from); a code no family on
 * that path lists is answered as whichever family lists it, so every code renders somewhere.
 */
export function catalogueEntry(family: ApiFamilyName, code: ErrorCode): WireError {
  for (let f: ApiFamilyName | undefined = family; f !== undefined; f = CATALOGUES[f].inherits) {
    const entry = CATALOGUES[f].errors[code]
    if (entry !== undefined) return entry
  }
  for (const f of API_FAMILIES) {
    const entry = CATALOGUES[f].errors[code]
    if (entry !== undefined) return entry
  }
  return WIRE_ERRORS.internal
}

/**
 * The wire form of `code` as `family` answers it at `endpoint` (a per-endpoint variant when the
 * family has one), with its placeholders filled.
 */
export function familyWireError(
  family: ApiFamilyName,
  code: ErrorCode,
  endpoint: string | undefined,
  params: ErrorParams,
): WireError {
  const base = catalogueEntry(family, code)
  const override =
    endpoint === undefined ? undefined : CATALOGUES[family].endpoints?.[endpoint]?.[code]
  const merged = override === undefined ? base : { ...base, ...override }
  const message = fill(merged.message, params)
  const wire: WireError =
    merged.attribute === undefined
      ? { status: merged.status, type: merged.type, message }
      : {
          status: merged.status,
          type: merged.type,
          message,
          attribute: fill(merged.attribute, params),
        }
  const coded = merged.code === undefined ? wire : { ...wire, code: merged.code }
  return merged.detail === undefined ? coded : { ...coded, detail: fill(merged.detail, params) }
}

/** The Data family's wire form of `code` at `endpoint` (familyWireError for `data`). */
export function wireError(
  code: ErrorCode,
  endpoint: DataEndpoint | undefined,
  params: ErrorParams,
): WireError {
  return familyWireError('data', code, endpoint, params)
}

function fill(template: string, params: ErrorParams): string {
  if (!template.includes('{')) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole)
}
