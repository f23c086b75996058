/**
 * A log record's payload as an object, parsed once per record read: the snapshot rules
 * (snapshot-rules.ts), the suppression check and the processor's steps all read it through
 * payloadOf, and a reader that derived the record from an object (the Bulk-row expander) hands
 * that object over with withPayload instead of having it serialized and parsed again. The object is
 * shared by every reader of the record: none may change it.
 */
import type { LogRecord } from './store.js'

const parsed = new WeakMap<LogRecord, unknown>()

/** `JSON.parse(record.payload)`, parsed at most once per record object (a failure is thrown). */
export function payloadOf(record: LogRecord): unknown {
  let value = parsed.get(record)
  if (value === undefined) {
    value = JSON.parse(record.payload) as unknown // JSON text written by ingest
    parsed.set(record, value)
  }
  return value
}

/**
 * Gives `record` its payload as an object. The caller vouches that `payload` is exactly what
 * `JSON.parse(record.payload)` would return: plain JSON data, every number finite and not -0
 * (see survivesJson), nothing undefined.
 */
export function withPayload<T extends LogRecord>(record: T, payload: unknown): T {
  parsed.set(record, payload)
  return record
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
