/**
 * What a row of an import file becomes (docs/imports.md): a Bulk Import element — a `customer`
 * for a users file, an `event` with one action for an events file — or the reason it is rejected.
 * Columns are mapped by name: the id column, for events the event name and time columns and the
 * action fields of spec §7.2, every other column an attribute. CSV cells are text, so their types
 * are inferred as MoEngage infers them (spec §8.3): whole and decimal numbers, `true` / `false`,
 * and ISO 8601 datetimes (kept as the ISO text the server reads as a datetime); a column named in
 * `datetimeColumns` is read as a datetime in any event-time format (ISO 8601 with an offset or a
 * space, epoch seconds or milliseconds) and sent as ISO 8601 UTC. JSON-lines values keep their
 * JSON types.
 */
import type { BulkElement } from '../client/index.js'
import { parseEventTime } from '../profile/event-time.js'

export type ImportType = 'users' | 'events'

export type RowMapping = Readonly<{
  type: ImportType
  /** The column holding `customer_id`. */
  idColumn: string
  /** Events: the column holding the event name (`action`). */
  eventColumn: string
  /** Events: the column holding the event's UTC time (`current_time`), when there is one. */
  timeColumn: string | undefined
  /** Columns read as datetimes (sent as ISO 8601 UTC); a value that is not one rejects its row. */
  datetimeColumns: ReadonlySet<string>
  /** CSV columns kept as text (no number or boolean inference). */
  stringColumns: ReadonlySet<string>
}>

/** A row as read: CSV cells are strings (`typed` false), JSON-lines values JSON (`typed` true). */
export type SourceRow = Readonly<{ values: Readonly<Record<string, unknown>>; typed: boolean }>

export type Mapped = { element: BulkElement } | { reason: string }

/** The columns the event name may be in, first found wins (without `--event-column`). */
export const EVENT_COLUMNS = ['action', 'event_name', 'event'] as const
/** The columns the event time may be in, first found wins (without `--time-column`). */
export const TIME_COLUMNS = ['current_time', 'event_time', 'time'] as const
/** spec §7.2 fields of an action (other than its name and attributes) read from their own columns. */
const ACTION_FIELDS = [
  'user_time',
  'user_timezone_offset',
  'platform',
  'app_version',
  'moe_os_type',
]
/** Track User fields of a JSON-lines user besides `customer_id` and `attributes`. */
const USER_FIELDS = ['platforms', 'unset_attributes', 'update_existing_only']

/** Whether columns (a CSV header, a first JSON line's keys) describe events rather than users. */
export function looksLikeEvents(columns: readonly string[]): boolean {
  return columns.includes('actions') || EVENT_COLUMNS.some((c) => columns.includes(c))
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/**
 * A CSV cell's value as MoEngage would type it (spec §8.3): numbers (no leading zeros or `+`, so
 * codes such as `007` and phone numbers stay text; integers only within 2^53), booleans, else the
 * text itself (an ISO 8601 datetime text is stored as a datetime by the server).
 */
export function inferValue(text: string): unknown {
  const lower = text.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  if (NUMBER.test(text)) {
    const n = Number(text)
    const integral = !/[.eE]/.test(text)
    if (Number.isFinite(n) && (!integral || Number.isSafeInteger(n))) return n
  }
  return text
}

/** ISO 8601 UTC of a datetime value in any event-time format, or undefined. */
export function datetimeOf(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const ms = parseEventTime(value)
  if (ms === undefined || !Number.isFinite(ms)) return undefined
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

type Value = { value: unknown } | { reason: string } | undefined

/** One column's value, typed; undefined for an empty CSV cell or a JSON null (left out). */
function valueOf(mapping: RowMapping, row: SourceRow, column: string, raw: unknown): Value {
  if (raw === undefined || raw === null) return undefined
  if (!row.typed && raw === '') return undefined
  if (mapping.datetimeColumns.has(column)) {
    const iso = datetimeOf(raw)
    if (iso === undefined) {
      return { reason: `column ${column}: ${JSON.stringify(raw)} is not a datetime` }
    }
    return { value: iso }
  }
  if (row.typed || mapping.stringColumns.has(column)) return { value: raw }
  return { value: typeof raw === 'string' ? inferValue(raw) : raw }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** `customer_id` as the API takes it: a non-empty string (a JSON number is sent as its text). */
function customerIdOf(mapping: RowMapping, row: SourceRow): string | { reason: string } {
  const raw = row.values[mapping.idColumn]
  const id = typeof raw === 'number' ? String(raw) : raw
  if (typeof id !== 'string' || id.trim() === '') {
    return { reason: `${mapping.idColumn} is empty or missing` }
  }
  return id
}

/** The attributes of the columns not in `skip`; or the first reason a value was refused. */
function attributesOf(
  mapping: RowMapping,
  row: SourceRow,
  entries: Iterable<[string, unknown]>,
  skip: ReadonlySet<string>,
): Record<string, unknown> | { reason: string } {
  const attributes: Record<string, unknown> = {}
  for (const [column, raw] of entries) {
    if (skip.has(column) || column === '') continue
    const v = valueOf(mapping, row, column, raw)
    if (v === undefined) continue
    if ('reason' in v) return v
    Object.defineProperty(attributes, column, { value: v.value, enumerable: true, writable: true })
  }
  return attributes
}

/** A row of a users file as a Bulk `customer` element, or why not. */
function userOf(mapping: RowMapping, row: SourceRow): Mapped {
  const id = customerIdOf(mapping, row)
  if (typeof id !== 'string') return id
  const nested = row.typed ? row.values['attributes'] : undefined
  if (row.typed && nested !== undefined) {
    // A Track User body (spec §7.1), as `inlet export users` writes it.
    if (!isObject(nested)) return { reason: 'attributes is not a JSON object' }
    const attributes = attributesOf(mapping, row, Object.entries(nested), new Set())
    if ('reason' in attributes) return attributes as { reason: string }
    const element: Record<string, unknown> = { type: 'customer', customer_id: id, attributes }
    for (const field of USER_FIELDS) {
      if (row.values[field] !== undefined) element[field] = row.values[field]
    }
    return { element: element as BulkElement } // Track User's shape, checked by the server
  }
  const attributes = attributesOf(
    mapping,
    row,
    Object.entries(row.values),
    new Set([mapping.idColumn, ...USER_FIELDS]),
  )
  if ('reason' in attributes) return attributes as { reason: string }
  return { element: { type: 'customer', customer_id: id, attributes } }
}

/** A row of an events file as a Bulk `event` element with one action, or why not. */
function eventOf(mapping: RowMapping, row: SourceRow): Mapped {
  const id = customerIdOf(mapping, row)
  if (typeof id !== 'string') return id
  const values = row.values
  if (row.typed && values['actions'] !== undefined) {
    // A Create Event body (spec §7.2): sent as it is, checked by the server.
    const actions = values['actions']
    if (!Array.isArray(actions) || actions.length === 0) {
      return { reason: 'actions is not a non-empty array' }
    }
    const element: Record<string, unknown> = { ...values, type: 'event', customer_id: id }
    return { element: element as BulkElement } // Create Event's shape, checked by the server
  }
  const name = values[mapping.eventColumn]
  if (typeof name !== 'string' || name.trim() === '') {
    return { reason: `${mapping.eventColumn} (the event name) is empty or missing` }
  }
  const action: Record<string, unknown> = { action: name }
  const time = mapping.timeColumn === undefined ? undefined : values[mapping.timeColumn]
  if (time !== undefined && time !== null && time !== '') {
    const iso = datetimeOf(time)
    if (iso === undefined) {
      return {
        reason: `${mapping.timeColumn ?? ''}: ${JSON.stringify(time)} is not ISO 8601 or epoch seconds or milliseconds`,
      }
    }
    action['current_time'] = iso
  }
  for (const field of ACTION_FIELDS) {
    const v = values[field]
    if (v === undefined || v === null || v === '') continue
    action[field] = field === 'user_timezone_offset' && typeof v === 'string' ? inferValue(v) : v
  }
  const skip = new Set<string>([
    mapping.idColumn,
    mapping.eventColumn,
    ...(mapping.timeColumn === undefined ? [] : [mapping.timeColumn]),
    ...ACTION_FIELDS,
    'device_id',
    'attributes',
  ])
  const nested = row.typed ? values['attributes'] : undefined
  if (nested !== undefined && !isObject(nested)) {
    return { reason: 'attributes is not a JSON object' }
  }
  const entries = [...Object.entries(values), ...Object.entries(nested ?? {})]
  const attributes = attributesOf(mapping, row, entries, skip)
  if ('reason' in attributes) return attributes as { reason: string }
  if (Object.keys(attributes).length > 0) action['attributes'] = attributes
  const element: Record<string, unknown> = { type: 'event', customer_id: id }
  const device = values['device_id']
  if (typeof device === 'string' && device !== '') element['device_id'] = device
  element['actions'] = [action]
  return { element: element as BulkElement } // Create Event's shape (spec §7.2)
}

/** A row as its Bulk element, or the reason it is rejected. */
export function mapRow(mapping: RowMapping, row: SourceRow): Mapped {
  return mapping.type === 'users' ? userOf(mapping, row) : eventOf(mapping, row)
}
