/**
 * GDPR / CCPA erasure semantics (spec §7.12): the identity types a request may name and what each
 * matches in the store, the identities a user or a logged record carries, and the suppression
 * hash under which an erased identity is remembered — SHA-256 of the workspace, the type and the
 * (normalized) value, so that the suppression list holds nothing readable of the person.
 */
import { createHash } from 'node:crypto'
import { payloadOf } from '../store/payloads.js'
import type { LogRecord, UserMatch, UserRow, DeviceRow } from '../store/store.js'
import { internalKey } from '../profile/standard-attributes.js'
import type { GdprIdentity, GdprIdentityType } from '../core/records.js'

/** The user attribute (stored key) each type is read from, when it is one. */
const USER_ATTRIBUTE: Readonly<Partial<Record<GdprIdentityType, string>>> = {
  email: 'u_em',
  mobile: 'u_mb',
  google_advertising_id: 'moe_gaid',
  advertising_identifier: 'advertising_identifier',
}

/** Emails match whatever their case (an erasure must not miss `John@x.com`); the rest exactly. */
export function normalizedValue(type: GdprIdentityType, value: string): string {
  return type === 'email' ? value.toLowerCase() : value
}

/**
 * What an erasure's identities match: `ID` the customer id, `user_secondary_id` Inlet's internal
 * id (`id` / `moengage_id` of Get User; the type is undocumented, docs/compatibility.md), `email`
 * and `mobile` the standard attributes, `google_advertising_id` the user's or a device's
 * `moe_gaid`, `advertising_identifier` the user attribute of that name (IDFA).
 */
export function userMatchOf(identities: readonly GdprIdentity[]): UserMatch {
  const match = {
    customerIds: [] as string[],
    userIds: [] as string[],
    userAttributes: [] as { key: string; value: string; caseInsensitive?: boolean }[],
    deviceAttributes: [] as { key: string; value: string }[],
  }
  for (const { identity_type: type, identity_value: value } of identities) {
    if (type === 'ID') match.customerIds.push(value)
    else if (type === 'user_secondary_id') match.userIds.push(value)
    const key = USER_ATTRIBUTE[type]
    if (key !== undefined) {
      match.userAttributes.push(
        type === 'email' ? { key, value, caseInsensitive: true } : { key, value },
      )
    }
    if (type === 'google_advertising_id') match.deviceAttributes.push({ key: 'moe_gaid', value })
  }
  return match
}

export function suppressionHash(
  workspaceId: string,
  type: GdprIdentityType,
  value: string,
): string {
  return createHash('sha256')
    .update(
      `inlet-suppression\u0000${workspaceId}\u0000${type}\u0000${normalizedValue(type, value)}`,
    )
    .digest('hex')
}

type Found = { identity_type: GdprIdentityType; identity_value: string }

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}

const TYPE_OF_KEY: Readonly<Record<string, GdprIdentityType>> = {
  u_em: 'email',
  u_mb: 'mobile',
  moe_gaid: 'google_advertising_id',
  advertising_identifier: 'advertising_identifier',
}

function fromAttributes(attributes: unknown, out: Found[]): void {
  if (typeof attributes !== 'object' || attributes === null) return
  for (const [key, v] of Object.entries(attributes)) {
    const internal = internalKey(key)
    const type = Object.hasOwn(TYPE_OF_KEY, internal) ? TYPE_OF_KEY[internal] : undefined
    const value = text(v)
    if (type !== undefined && value !== undefined) {
      out.push({ identity_type: type, identity_value: value })
    }
  }
}

/** Every identity an erased user (with its devices) carries: all of them are suppressed. */
export function identitiesOfUser(user: UserRow, devices: readonly DeviceRow[]): Found[] {
  const out: Found[] = [{ identity_type: 'user_secondary_id', identity_value: user.id }]
  if (user.customerId !== null) out.push({ identity_type: 'ID', identity_value: user.customerId })
  fromAttributes(user.attributes, out)
  for (const d of devices) {
    const gaid = text(d.attributes['moe_gaid'])
    if (gaid !== undefined)
      out.push({ identity_type: 'google_advertising_id', identity_value: gaid })
  }
  return out
}

/**
 * The identities a log record names: checked against the suppression list before the record is
 * applied. Data-bearing kinds (customer, event, device, install) by their ID and identifier
 * values; merge, delete and opt-out records by the customer ids they name (refusing those is
 * harmless — the users are gone — and keeps their payloads out of the log). Others name none.
 */
export function identitiesOfRecord(record: LogRecord): Found[] {
  if (!NAMING_KINDS.includes(record.kind)) return []
  let parsed: unknown
  try {
    parsed = payloadOf(record)
  } catch {
    return [] // a damaged record: its own step fails it (retried, then dead), not the whole batch
  }
  if (typeof parsed !== 'object' || parsed === null) return []
  const p = parsed as Record<string, unknown> // written by ingest from the kind's payload type
  const out: Found[] = []
  const id = text(p['customer_id'])
  if (id !== undefined) out.push({ identity_type: 'ID', identity_value: id })
  if (record.kind === 'customer' || record.kind === 'device') fromAttributes(p['attributes'], out)
  fromAttributes(p['identities'], out)
  const gaid = text(p['advertising_id'])
  if (gaid !== undefined) out.push({ identity_type: 'google_advertising_id', identity_value: gaid })
  if (record.kind === 'merge') {
    for (const key of ['merged_user', 'retained_user']) {
      const v = text(p[key])
      if (v !== undefined) out.push({ identity_type: 'ID', identity_value: v })
    }
  }
  if (record.kind === 'delete' && p['identity_type'] === 'customer_id') {
    const v = text(p['identity_value'])
    if (v !== undefined) out.push({ identity_type: 'ID', identity_value: v })
  }
  return out
}

const NAMING_KINDS: readonly string[] = [
  'customer',
  'event',
  'device',
  'install',
  'merge',
  'delete',
  'device_opt_out',
]
