/**
 * `inlet export users|events` (docs/imports.md): a workspace's users or events from the store to
 * JSON lines or CSV, a keyset page at a time (usersPage by internal id, eventsPage by event time
 * and seq), each page written — waiting for the output to drain — before the next is read, so
 * memory stays flat however many rows there are. CSV needs its columns first: a first pass over
 * the pages collects the attribute names (a workspace has at most a few hundred, spec §8.3), the
 * second writes the rows. Lines are in the shapes `inlet import` reads back: a user as Track User
 * (`customer_id`, `attributes`, with `moengage_id` and the times), an event as Create Event.
 */
import type { Writable } from 'node:stream'
import { toWireValue } from '../profile/attribute-values.js'
import { friendlyKey } from '../profile/standard-attributes.js'
import type { EventRow, Store, UserRow } from '../store/store.js'

export type ExportFormat = 'jsonl' | 'csv'
export type ExportKind = 'users' | 'events'

export type ExportOptions = Readonly<{
  workspaceId: string
  kind: ExportKind
  format: ExportFormat
  /** Rows per page read from the store (default 1000). */
  pageSize?: number
}>

type Profiles = Pick<Store['profiles'], 'usersPage' | 'eventsPage' | 'findUsers'>

/** A row to write: its fixed fields, then its attributes (friendly names, wire values). */
type Line = Readonly<{ fields: Record<string, unknown>; attributes: Record<string, unknown> }>

const USER_FIELDS = ['customer_id', 'moengage_id', 'created_at', 'updated_at'] as const
const EVENT_FIELDS = [
  'customer_id',
  'action',
  'current_time',
  'user_time',
  'device_id',
  'platform',
  'app_version',
] as const

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

function friendly(attributes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(attributes)) {
    Object.defineProperty(out, friendlyKey(key), {
      value: toWireValue(value),
      enumerable: true,
      writable: true,
    })
  }
  return out
}

function userLine(user: UserRow): Line {
  return {
    fields: {
      customer_id: user.customerId,
      moengage_id: user.id,
      created_at: iso(user.createdAt),
      updated_at: iso(user.updatedAt),
    },
    attributes: friendly(user.attributes),
  }
}

function eventLine(event: EventRow, customerId: string | null): Line {
  return {
    fields: {
      customer_id: customerId,
      action: event.name,
      current_time: iso(event.eventTime),
      user_time: iso(event.userTime),
      device_id: event.deviceId,
      platform: event.platform,
      app_version: event.appVersion,
    },
    attributes: friendly(event.attributes),
  }
}

/** The lines of the export, a page at a time (each page's array is all that is held). */
async function* pages(profiles: Profiles, options: ExportOptions): AsyncGenerator<Line[]> {
  const size = options.pageSize ?? 1000
  const ws = options.workspaceId
  if (options.kind === 'users') {
    for (let after = ''; ;) {
      const users = await profiles.usersPage(ws, after, size)
      if (users.length === 0) return
      yield users.map(userLine)
      after = users[users.length - 1]?.id ?? after
      if (users.length < size) return
    }
  }
  let afterTime = Number.MIN_SAFE_INTEGER
  let afterSeq = Number.MIN_SAFE_INTEGER
  for (;;) {
    const events = await profiles.eventsPage(ws, afterTime, afterSeq, size)
    if (events.length === 0) return
    const ids = [...new Set(events.map((e) => e.userId))]
    const users = await profiles.findUsers(ws, { customerIds: [], ids })
    const customerIds = new Map(users.map((u) => [u.id, u.customerId]))
    yield events.map((e) => eventLine(e, customerIds.get(e.userId) ?? null))
    const last = events[events.length - 1]
    if (last === undefined || events.length < size) return
    afterTime = last.eventTime
    afterSeq = last.seq
  }
}

/** JSON lines: a user as Track User's body (plus its id and times), an event as Create Event's. */
function jsonLine(kind: ExportKind, line: Line): string {
  if (kind === 'users')
    return JSON.stringify({ ...line.fields, attributes: line.attributes }) + '\n'
  const f = line.fields
  const action: Record<string, unknown> = { action: f['action'] }
  for (const key of ['current_time', 'user_time', 'platform', 'app_version']) {
    if (f[key] !== null) action[key] = f[key]
  }
  if (Object.keys(line.attributes).length > 0) action['attributes'] = line.attributes
  const event: Record<string, unknown> = { customer_id: f['customer_id'] }
  if (f['device_id'] !== null) event['device_id'] = f['device_id']
  event['actions'] = [action]
  return JSON.stringify(event) + '\n'
}

/** RFC 4180: a cell quoted when it holds a comma, quote or line break. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const csvRow = (cells: readonly unknown[]): string => cells.map(csvCell).join(',') + '\r\n'

/** Writes `text`, waiting for the stream to drain when its buffer is full. */
async function write(out: Writable, text: string): Promise<void> {
  if (out.write(text)) return
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      out.off('drain', done)
      out.off('error', done)
      if (err) reject(err)
      else resolve()
    }
    out.once('drain', done)
    out.once('error', done)
  })
}

/** Writes the workspace's users or events to `out`; resolves to how many rows were written. */
export async function exportRows(
  profiles: Profiles,
  options: ExportOptions,
  out: Writable,
): Promise<number> {
  let rows = 0
  if (options.format === 'jsonl') {
    for await (const page of pages(profiles, options)) {
      await write(out, page.map((line) => jsonLine(options.kind, line)).join(''))
      rows += page.length
    }
    return rows
  }
  const fixed: readonly string[] = options.kind === 'users' ? USER_FIELDS : EVENT_FIELDS
  const names = new Set<string>()
  for await (const page of pages(profiles, options)) {
    for (const line of page) for (const name of Object.keys(line.attributes)) names.add(name)
  }
  const attributeColumns = [...names].filter((n) => !fixed.includes(n)).sort()
  await write(out, csvRow([...fixed, ...attributeColumns]))
  for await (const page of pages(profiles, options)) {
    const text = page
      .map((line) =>
        csvRow([
          ...fixed.map((f) => line.fields[f]),
          ...attributeColumns.map((a) => line.attributes[a]),
        ]),
      )
      .join('')
    await write(out, text)
    rows += page.length
  }
  return rows
}
