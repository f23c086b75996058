/**
 * The shapes of the error catalogue: an entry (status, `type` or a family's code, message,
 * attribute, second code), the API families that have catalogues, the Data API's endpoints
 * (for its per-endpoint strings), one family's catalogue, and the variants of an endpoint group.
 */
import { BASIC_CREDENTIAL_CODES, type ErrorCode } from '../errors.js'

/**
 * The API families Inlet serves, one folder each under src/families/. A family answers with its
 * own catalogue (CATALOGUES) through its own envelope.
 */
export const API_FAMILIES = [
  'data',
  'admin',
  'dashboard',
  'consent',
  'segments',
  'inform',
  'outbox',
  'push',
  'live_activities',
  'archival',
  'file_imports',
  'cards',
] as const

export type ApiFamilyName = (typeof API_FAMILIES)[number]

export type WireError = Readonly<{
  status: number
  type: string
  message: string
  /** Echoed as `error.attribute`; may hold `{placeholders}` like the message. */
  attribute?: string
  /**
   * A family's second code, where its envelope has one (http/envelopes.ts): Inform's six-digit
   * `status_code`, the `code` of a `{title, description, code}` body, a field detail's code.
   */
  code?: string | number
  /**
   * A second message, where the envelope has one: Email opt-in's `error.details.message` (the
   * entry's `message` is then `error.message`). May hold `{placeholders}`.
   */
  detail?: string
}>

/** Which Data endpoint answered: selects the per-endpoint overrides of the spec's §7 pages. */
export type DataEndpoint =
  | 'customer'
  | 'event'
  | 'device'
  | 'bulk'
  | 'export'
  | 'merge'
  | 'delete'
  | 'opt_out'
  | 'gdpr'
  | 'inlet'

/** The codes only the admin API answers (its own catalogue, ADMIN_ERRORS). */
export type AdminErrorCode = Extract<ErrorCode, `admin_${string}`>

/** The codes only the dashboard answers (its own catalogue, DASHBOARD_ERRORS). */
export type DashboardErrorCode = Extract<ErrorCode, `dashboard_${string}`>

/** The codes only the consent family answers (its own catalogue, CONSENT_ERRORS). */
export type ConsentErrorCode = Extract<ErrorCode, `consent_${string}`>

/** The codes only the segments family answers (its own catalogue, SEGMENT_ERRORS). */
export type SegmentErrorCode = Extract<ErrorCode, `segment_${string}`>

/** The codes only the Inform family answers (its own catalogue, INFORM_ERRORS). */
export type InformErrorCode = Extract<ErrorCode, `inform_${string}`>

/** The codes only the Push family answers (its own catalogue, PUSH_ERRORS). */
export type PushErrorCode = Extract<ErrorCode, `push_${string}`>

/** The codes only the outbox family answers (its own catalogue, OUTBOX_ERRORS). */
export type OutboxErrorCode = Extract<ErrorCode, `outbox_${string}`>

/** The codes only the Live Activities family answers (LIVE_ACTIVITY_ERRORS). */
export type LiveActivityErrorCode = Extract<ErrorCode, `live_activity_${string}`>

/** The codes only the Message Archival family answers (ARCHIVAL_ERRORS). */
export type ArchivalErrorCode = Extract<ErrorCode, `archival_${string}`>

/** The codes only the File Imports family answers (FILE_IMPORT_ERRORS). */
export type FileImportErrorCode = Extract<ErrorCode, `file_import_${string}`>
/** The codes only the Cards family answers (CARDS_ERRORS). */
export type CardsErrorCode = Extract<ErrorCode, `cards_${string}`>

/**
 * The consent family's endpoint groups, each with its own strings for the platform's codes:
 * `categories` (Subscription categories, E3), `optin` (Email opt-in, E4 with one detail object),
 * `resubscribe` (Bulk resubscribe, `{response_id, error:{message, err_code}}`).
 */
export type ConsentEndpoint = 'categories' | 'optin' | 'resubscribe'

/** One family's catalogue: its own entries, per-endpoint variants, the family it falls back to. */
export type FamilyCatalogue = Readonly<{
  errors: Readonly<Partial<Record<ErrorCode, WireError>>>
  endpoints?: Readonly<
    Partial<Record<string, Readonly<Partial<Record<ErrorCode, Partial<WireError>>>>>>
  >
  /** Codes this family has no entry for are answered with this family's entry. */
  inherits?: ApiFamilyName
}>

/** A family's strings for codes, by code: what an endpoint group changes of the entries. */
export type Variants = Readonly<Partial<Record<ErrorCode, Partial<WireError>>>>

/** The codes of a body that is not a JSON object, or not sent as one (http/json-body.ts): families
 * whose pages give one answer for all of them list them with sameFor. */
export const BODY_FORMAT_CODES = [
  'content_type_missing',
  'unsupported_media_type',
  'empty_body',
  'malformed_json',
  'body_not_object',
  'body_too_deep',
  'body_has_nul',
] as const satisfies readonly ErrorCode[]

/** Every way Basic credentials with the Data key can fail (a page that documents one 401 for all). */
export const DATA_KEY_CREDENTIAL_CODES = [
  ...BASIC_CREDENTIAL_CODES,
  'auth_unknown_app_id',
  'invalid_app_id',
  'app_mismatch',
  'key_not_set',
  'key_mismatch',
] as const satisfies readonly ErrorCode[]

/** The same variant for each of `codes` (a page that documents one answer for several). */
export function sameFor(codes: readonly ErrorCode[], variant: Partial<WireError>): Variants {
  return Object.fromEntries(codes.map((code) => [code, variant]))
}
