/**
 * Which stored field a segment filter's attribute `name` reads (docs/segments.md, "Attribute
 * names"): MoEngage's payload generator writes the dashboard's display names of standard
 * attributes (`Name`, `First Name`, `Email (Standard)`…); the Data API's friendly keys
 * (`first_name`) and the stored keys themselves (`u_fn`, `plan`) work as well. The display names
 * are this one table; the friendly keys are profile/standard-attributes.ts's own.
 */
import { internalKey } from '../profile/standard-attributes.js'
import type { Field } from '../store/segments.js'

const customerId: Field = { kind: 'column', column: 'customer_id' }
const internalId: Field = { kind: 'column', column: 'id' }
const key = (k: string): Field => ({ kind: 'attribute', key: k })

/**
 * Display names (spec §8.1's table, compared exactly) and the user's identifiers, each with the
 * field it reads. A custom attribute stored under one of these names is shadowed by it.
 */
export const SEGMENT_ATTRIBUTE_NAMES: ReadonlyMap<string, Field> = new Map([
  ['ID', customerId],
  ['uid', customerId],
  ['customer_id', customerId],
  ['id', internalId],
  ['moengage_id', internalId],
  ['Name', key('u_n')],
  ['First Name', key('u_fn')],
  ['Last Name', key('u_ln')],
  ['Email', key('u_em')],
  ['Email (Standard)', key('u_em')],
  ['Mobile Number', key('u_mb')],
  ['Mobile Number (Standard)', key('u_mb')],
  ['Gender', key('u_gd')],
  ['Birthday', key('u_bd')],
  ['First Seen', key('cr_t')],
  ['Last Seen', key('u_l_a')],
  ['Publisher Name', key('publisher_name')],
  ['Campaign Name', key('campaign_name')],
  ['Google Advertising ID', key('moe_gaid')],
  ['Advertising Identifier (iOS & Windows)', key('advertising_identifier')],
  ['Mobile User', key('moe_mweb')],
  ['Email Opt-in Status', key('moe_email_optin_status')],
  ['Push Opt In Status', key('push_preference')],
  ['Geolocation', key('geo')],
  ['LTV', key('t_rev')],
])

/** The field a filter's `name` reads: a display name, a friendly key, or a stored key as it is. */
export function fieldOf(name: string): Field {
  return SEGMENT_ATTRIBUTE_NAMES.get(name) ?? key(internalKey(name))
}
