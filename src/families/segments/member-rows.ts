/**
 * A segment's members as Inlet's member reads write them: the attributes asked for (`fields`,
 * read as a filter's attribute names are: display names, friendly keys, stored keys), a member as
 * a JSON object (`{id, customer_id, created_time, updated_time, attributes}`, times ISO 8601 UTC,
 * datetimes as Get User writes them), and the lines of the CSV and JSON-lines exports. The CSV
 * has the columns `id, customer_id, created_time, updated_time`, then one per field asked for —
 * or, with no `fields`, one `attributes` column holding them all as JSON — quoted as RFC 4180 says.
 */
import { toWireValue } from '../../profile/attribute-values.js'
import { fieldOf } from '../../segments/attribute-names.js'
import type { Field, MemberRow } from '../../store/segments.js'

/** The attributes a read asks the store for, and how it names them in its answer. */
export type MemberFields = Readonly<{
  /** The store's `attributes` of a member page. */
  keys: 'all' | readonly string[]
  /** Each field asked for with what it reads (an attribute's stored key, or an id column). */
  named: readonly (readonly [name: string, field: Field])[]
  /** Whether `fields` was given (the CSV then has a column per field). */
  chosen: boolean
}>

/** The fields of `names` (undefined: every attribute, under its stored key). */
export function memberFields(names: readonly string[] | undefined): MemberFields {
  if (names === undefined) return { keys: 'all', named: [], chosen: false }
  const named = names.map((name) => [name, fieldOf(name)] as const)
  const keys = [...new Set(named.flatMap(([, f]) => (f.kind === 'attribute' ? [f.key] : [])))]
  return { keys, named, chosen: true }
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** A member's attributes as answered: all under their keys, or the fields under their names. */
function attributesOf(member: MemberRow, fields: MemberFields): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const set = (k: string, v: unknown) =>
    Object.defineProperty(out, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  if (!fields.chosen) {
    for (const [k, v] of Object.entries(member.attributes)) set(k, toWireValue(v))
    return out
  }
  for (const [name, field] of fields.named) {
    if (field.kind === 'column') {
      const value = field.column === 'id' ? member.id : member.customerId
      if (value !== null) set(name, value)
    } else if (Object.hasOwn(member.attributes, field.key)) {
      set(name, toWireValue(member.attributes[field.key]))
    }
  }
  return out
}

export function memberJson(member: MemberRow, fields: MemberFields) {
  return {
    id: member.id,
    customer_id: member.customerId,
    created_time: iso(member.createdAt),
    updated_time: iso(member.updatedAt),
    attributes: attributesOf(member, fields),
  }
}

/** One JSON line of the export. */
export const jsonLine = (member: MemberRow, fields: MemberFields): string =>
  `${JSON.stringify(memberJson(member, fields))}\n`

/** A CSV cell: text as it is, other values as JSON, null and absent empty; quoted when needed. */
function cell(value: unknown): string {
  const text =
    value === undefined || value === null
      ? ''
      : typeof value === 'string'
        ? value
        : JSON.stringify(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const row = (cells: readonly unknown[]): string => `${cells.map(cell).join(',')}\r\n`

/** The CSV's header line. */
export function csvHeader(fields: MemberFields): string {
  const base = ['id', 'customer_id', 'created_time', 'updated_time']
  return row(
    fields.chosen ? [...base, ...fields.named.map(([name]) => name)] : [...base, 'attributes'],
  )
}

/** One member's CSV line. */
export function csvLine(member: MemberRow, fields: MemberFields): string {
  const m = memberJson(member, fields)
  const base = [m.id, m.customer_id, m.created_time, m.updated_time]
  if (!fields.chosen) return row([...base, m.attributes])
  return row([...base, ...fields.named.map(([name]) => m.attributes[name])])
}
