/**
 * What an attribute value becomes in a profile or an event (spec §8.3): the accepted value types,
 * datetime detection for strings, and the name, length and size limits — each value either kept
 * (possibly trimmed to a limit) or dropped, with a note saying which rule applied. Datetimes are
 * stored as `{"$date": "<ISO 8601 UTC>"}`; `$` can never start an object key (§8.3), so the
 * marker cannot collide with a user's own object.
 */
import { truncateCharacters, withinLength } from '../core/characters.js'

export const LIMITS = Object.freeze({
  /** spec §8.3: user and event property names, event names (longer are truncated). */
  nameLength: 200,
  /** spec §8.3: string values (longer are truncated; URLs longer are rejected). */
  stringLength: 512,
  /** spec §8.3: elements of an array. */
  arrayLength: 50,
  /** spec §8.3: an object attribute's JSON size, sub-attributes and elements of arrays of objects. */
  objectBytes: 25 * 1024,
  objectKeys: 100,
  objectArrayLength: 100,
  /** spec §8.3: nesting deeper than this is stringified. */
  objectDepth: 2,
})

export type DateValue = Readonly<{ $date: string }>

export function isDateValue(v: unknown): v is DateValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as Record<string, unknown>)['$date'] === 'string' &&
    Object.keys(v).length === 1
  )
}

export const dateValue = (ms: number): DateValue => ({ $date: new Date(ms).toISOString() })

/**
 * spec §8.3: `YYYY-MM-DDTHH:mm:ss[.f]Z` and `YYYY-MM-DD` (also without the `Z`, read as UTC) are
 * datetimes when the calendar date and time exist; anything else stays a string.
 */
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z?)?$/

/** Epoch milliseconds of a datetime string, or undefined when it is not one (spec §8.3). */
export function parseDatetime(s: string): number | undefined {
  if (s.length < 10 || s.length > 40) return undefined
  const m = DATETIME.exec(s)
  if (m === null) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000)
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction)
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** The type a stored value has, as Data Management would show it. */
export type ValueType =
  'string' | 'number' | 'boolean' | 'datetime' | 'array' | 'object' | 'array_of_objects' | 'null'

export function typeOf(v: unknown): ValueType {
  if (v === null) return 'null'
  if (isDateValue(v)) return 'datetime'
  if (Array.isArray(v)) {
    return v.length > 0 && v.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))
      ? 'array_of_objects'
      : 'array'
  }
  switch (typeof v) {
    case 'string':
      return 'string'
    case 'number':
      return 'number'
    case 'boolean':
      return 'boolean'
    default:
      return 'object'
  }
}

/** A value ready to store, or why it was not stored; `notes` say what was trimmed. */
export type NormalizedValue =
  | Readonly<{ keep: true; value: unknown; notes: readonly string[] }>
  | Readonly<{ keep: false; reason: string }>

/** The property name as stored (spec §8.3: longer names are truncated to 200 characters). */
export function normalizeName(name: string, notes: string[]): string {
  if (withinLength(name, LIMITS.nameLength)) return name
  const cut = truncateCharacters(name, LIMITS.nameLength)
  notes.push(`name '${cut}…' truncated to ${LIMITS.nameLength} characters (spec §8.3)`)
  return cut
}

const URL_PATTERN = /^[a-z][a-z0-9+.-]*:\/\//i

/** Turns a request value into the value to store, following spec §8.2–§8.3. */
export function normalizeValue(name: string, value: unknown): NormalizedValue {
  const notes: string[] = []
  const result = normalizeAny(name, value, notes, 0)
  if (result === DROP) return { keep: false, reason: notes.join('; ') }
  return { keep: true, value: result, notes }
}

const DROP = Symbol('drop')

function normalizeAny(name: string, value: unknown, notes: string[], depth: number): unknown {
  if (value === null) return null // spec §8.2: null keeps the key present
  switch (typeof value) {
    case 'boolean':
      return value
    case 'number':
      return value
    case 'string':
      return normalizeString(name, value, notes)
    case 'object':
      return Array.isArray(value)
        ? normalizeArray(name, value, notes, depth)
        : normalizeObject(name, value as Record<string, unknown>, notes, depth)
    default:
      notes.push(`'${name}' has an unsupported type and was ignored (spec §8.3)`)
      return DROP
  }
}

function normalizeString(name: string, s: string, notes: string[]): unknown {
  const ms = parseDatetime(s)
  if (ms !== undefined) return dateValue(ms)
  if (withinLength(s, LIMITS.stringLength)) return s
  if (URL_PATTERN.test(s)) {
    notes.push(
      `'${name}' is a URL longer than ${LIMITS.stringLength} characters and was rejected (spec §8.3)`,
    )
    return DROP
  }
  notes.push(`'${name}' truncated to ${LIMITS.stringLength} characters (spec §8.3)`)
  return truncateCharacters(s, LIMITS.stringLength)
}

function normalizeArray(name: string, values: unknown[], notes: string[], depth: number): unknown {
  if (values.length === 0) return []
  const objects = values.filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
  if (objects.length > 0 || values.every((v) => v === null)) {
    return normalizeObjectArray(name, values, notes, depth)
  }
  const kinds = new Set(values.map((v) => typeof v))
  if (kinds.size !== 1 || !(kinds.has('string') || kinds.has('number'))) {
    notes.push(
      `'${name}' is not a homogeneous array of numbers or of strings and was ignored (spec §8.3)`,
    )
    return DROP
  }
  let kept = values
  if (kept.length > LIMITS.arrayLength) {
    notes.push(`'${name}' kept its first ${LIMITS.arrayLength} elements (spec §8.3)`)
    kept = kept.slice(0, LIMITS.arrayLength)
  }
  if (!kinds.has('string')) return kept
  let cut = false
  const out = (kept as string[]).map((s) => {
    if (withinLength(s, LIMITS.stringLength)) return s
    cut = true
    return truncateCharacters(s, LIMITS.stringLength)
  })
  if (cut)
    notes.push(`'${name}' elements truncated to ${LIMITS.stringLength} characters (spec §8.3)`)
  return out
}

/** spec §8.2: null members of an array of objects are dropped; §8.3: at most 100 elements. */
function normalizeObjectArray(
  name: string,
  values: unknown[],
  notes: string[],
  depth: number,
): unknown {
  const objects = values.filter((v) => v !== null)
  if (objects.length !== values.length) {
    notes.push(`'${name}' null members dropped (spec §8.2)`)
  }
  if (!objects.every((v) => typeof v === 'object' && !Array.isArray(v))) {
    notes.push(`'${name}' mixes objects with other values and was ignored (spec §8.3)`)
    return DROP
  }
  let kept = objects as Record<string, unknown>[]
  if (kept.length > LIMITS.objectArrayLength) {
    notes.push(`'${name}' kept its first ${LIMITS.objectArrayLength} objects (spec §8.3)`)
    kept = kept.slice(0, LIMITS.objectArrayLength)
  }
  const out: unknown[] = []
  for (const o of kept) {
    const v = normalizeObject(name, o, notes, depth)
    if (v !== DROP) out.push(v)
  }
  return out
}

const FORBIDDEN_OBJECT_KEY = /[$.%#]/

/** spec §8.3 objects: key rules, 100 sub-attributes, nesting beyond level 2 stringified, 25 KB. */
function normalizeObject(
  name: string,
  o: Record<string, unknown>,
  notes: string[],
  depth: number,
): unknown {
  const entries = Object.entries(o)
  if (entries.length === 0 && depth === 0) {
    notes.push(`'${name}' is an empty object and was not ingested (spec §8.2)`)
    return DROP
  }
  if (depth >= LIMITS.objectDepth) return JSON.stringify(o)
  const out: Record<string, unknown> = {}
  let count = 0
  for (const [key, v] of entries) {
    if (key === '' || !withinLength(key, LIMITS.nameLength) || FORBIDDEN_OBJECT_KEY.test(key)) {
      notes.push(
        `'${name}.${key}' dropped: object keys are 1–200 characters without $ . % # (spec §8.3)`,
      )
      continue
    }
    if (count === LIMITS.objectKeys) {
      notes.push(`'${name}' kept its first ${LIMITS.objectKeys} sub-attributes (spec §8.3)`)
      break
    }
    const nv = normalizeAny(`${name}.${key}`, v, notes, depth + 1)
    if (nv === DROP) continue
    defineOwn(out, key, nv)
    count++
  }
  if (depth === 0 && Buffer.byteLength(JSON.stringify(out)) > LIMITS.objectBytes) {
    notes.push(`'${name}' is larger than 25 KB and was rejected (spec §8.3)`)
    return DROP
  }
  return out
}

/**
 * Sets an own enumerable property even for the key `__proto__`, whose assignment would set the
 * prototype instead. Every other key is assigned: on the plain objects this is given that is the
 * same, and Object.defineProperty for each attribute was ~4 % of the processor in the drain after
 * Bulk (docs/benchmarks.md, 2026-12-05 18:30).
 */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key !== '__proto__') {
    target[key] = value
    return
  }
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

/** The wire form of a stored value: datetimes become ISO 8601 strings (Get User, exports). */
export function toWireValue(v: unknown): unknown {
  if (isDateValue(v)) return v.$date
  if (Array.isArray(v)) return v.map(toWireValue)
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, e] of Object.entries(v)) defineOwn(out, k, toWireValue(e))
    return out
  }
  return v
}
