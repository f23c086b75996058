/**
 * A log record's payload as an object, parsed once per record read: the snapshot rules
 * (snapshot-rules.ts), the suppression check and the processor's steps all read it through
 * payloadOf, and a reader that derives records from objects (the Bulk-row expander) makes them
 * with recordOfPayload, handing the object over instead of having it serialized and parsed again.
 * The object is shared by every reader of the record: none may change it.
 */
import type { LogRecord } from './store.js'

// Kept on the record itself, not enumerable (so records compare and spread as before): a
// WeakMap costs more than the parse it saves, in the collector.
const PARSED = Symbol('the payload parsed')
const TEXT = Symbol('the payload written')
type Carrying = { [PARSED]?: unknown; [TEXT]?: string }

/** `JSON.parse(record.payload)`, parsed at most once per record object (a failure is thrown). */
export function payloadOf(record: LogRecord): unknown {
  const carried = (record as Carrying)[PARSED]
  if (carried !== undefined) return carried
  const value = JSON.parse(record.payload) as unknown // JSON text written by ingest
  if (Object.isExtensible(record)) Object.defineProperty(record, PARSED, { value })
  return value
}

/** The `payload` of a record made from its object: the text, written when first read. */
const WRITTEN_WHEN_READ: PropertyDescriptor = {
  enumerable: true,
  get(this: Carrying): string {
    let text = this[TEXT]
    if (text === undefined) {
      text = JSON.stringify(this[PARSED])
      Object.defineProperty(this, TEXT, { value: text })
    }
    return text
  },
}

/**
 * A log record made from `fields` (taken, not copied) and its payload object (a Bulk row's
 * records, families/data/bulk-rows.ts), which payloadOf hands out as it is: its text is written
 * only when read (an erasure's search, a request's report). The record is a plain object whose
 * `payload` is a getter, so it compares and spreads like any record. The caller vouches that
 * `payload` is exactly what its text parses to (survivesJson).
 */
export function recordOfPayload(fields: Omit<LogRecord, 'payload'>, payload: unknown): LogRecord {
  Object.defineProperty(fields, 'payload', WRITTEN_WHEN_READ)
  Object.defineProperty(fields, PARSED, { value: payload })
  return fields as LogRecord // `payload` defined just above
}

/**
 * Whether `JSON.parse(JSON.stringify(value))` gives back `value` as it is: plain JSON data whose
 * numbers are finite and not -0. JSON.parse reads 1e400 as Infinity, which JSON.stringify writes
 * as null, and -0 (or -1e-400) as -0, which it writes as 0; undefined members are left out.
 */
export function survivesJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
    case 'object': {
      if (value === null) return true
      if (Array.isArray(value)) {
        for (const v of value as unknown[]) if (!survivesJson(v)) return false
        return true
      }
      const proto: unknown = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      const o = value as Record<string, unknown> // narrowed: a plain object
      for (const key in o) if (Object.hasOwn(o, key) && !survivesJson(o[key])) return false
      return true
    }
    default:
      return false
  }
}
