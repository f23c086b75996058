/**
 * The length bounds of the identifiers and names a request body carries — customer ids, device
 * ids and event names (`action`) — and their one check. MoEngage documents no length for ids; its
 * §8.3 limits are 200 characters for names (longer truncated) and 512 for string values. Inlet
 * refuses longer values before anything is logged (docs/compatibility.md, "Lengths"):
 *
 * - An id is a string value (the ID is the `uid` attribute, §8.1), so 512 characters. It is also
 *   a key of the stores' indexes (users by customer id, devices by device id): PostgreSQL refuses
 *   a B-tree entry over 2,704 bytes, and 512 characters are at most 2,048 bytes of UTF-8, so no id
 *   Inlet accepts can fail a write (a record that cannot be written would stall the processor).
 * - An event name is truncated to 200 characters when applied (§8.3, as MoEngage does); a name is
 *   refused only beyond 512, the bound every other name and id of a request shares.
 *
 * Lengths are counted in characters (core/characters.ts) — Unicode code points, as a person counts
 * them and as MoEngage's "characters" read — not in UTF-16 units (an emoji is one character, not
 * two) and not in bytes (an id in Devanagari or Chinese is not three times shorter than one in
 * Latin letters).
 */
import { withinLength } from '../../../core/characters.js'
import { AppError } from '../../../core/errors.js'

/** Customer ids, device ids and every other id a body names (merge, delete, opt-out, export, GDPR). */
export const MAX_ID_LENGTH = 512

/** Event names (`actions[].action`); applied names are truncated to 200 (profile/attribute-values). */
export const MAX_EVENT_NAME_LENGTH = 512

/** Throws `field_too_long` (400 LimitBreached, attribute `key`) when `value` is over `limit`. */
export function checkLength(key: string, value: string, limit: number): void {
  if (!withinLength(value, limit)) {
    throw new AppError('field_too_long', { params: { key, limit: String(limit) } })
  }
}
