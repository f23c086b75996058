/**
 * Bulk Import requests (spec §7.3) as the log keeps them: one row per request holding the body as
 * it was sent, instead of one row per record re-serialized by the request thread. The request
 * thread validates the body (it must answer 400s and count quotas) and then writes its text as is;
 * the records are derived again from that text wherever the log is read (expandBulkRow, injected
 * into the stores), by the same validation with the same options, so every reader sees exactly the
 * records the request thread validated. docs/benchmarks.md ("Bulk rows") has the measurements.
 */
import type { ParsedRecord } from '../../core/records.js'
import { AppError } from '../../core/errors.js'
import { wireError } from '../../core/error-catalogue.js'
import type { BulkLogRow, LogRecord, LogRowExpander } from '../../store/store.js'
import { recordOfPayload, survivesJson } from '../../store/payloads.js'
import { parseBulkElement, readBulkElements } from './bodies/ingest-bodies.js'
import type { JsonObject } from '../../core/records.js'
import { withinLength } from '../../core/characters.js'
import { MAX_ID_LENGTH } from './bodies/limits.js'

/** What, besides the body, a Bulk request's records are derived with. */
export type BulkOptions = Readonly<{
  /** spec §7.3 `bulk_strict_element_validation`: an invalid element fails the request (400). */
  strict: boolean
  /** spec §6.2: the identifiers read when the workspace has Identity Resolution on. */
  identifiers?: readonly string[]
  /** spec §6.3: the project name of the request's `project_code` (tagged by withProject). */
  project?: string
}>

/**
 * spec §7.3: envelope problems are 400s; an element that fails its endpoint's validation is
 * logged as an `invalid` record with the error it would have had, and the request answers 200
 * ("all bulk API requests return a 200"). With `strict`, the element's error is thrown instead.
 * `project` is not applied here: see withProject.
 */
export function parseBulk(
  body: JsonObject,
  options: BulkOptions = { strict: false },
): ParsedRecord[] {
  const records: ParsedRecord[] = []
  for (const element of readBulkElements(body)) {
    try {
      records.push(...parseBulkElement(element, options.identifiers))
    } catch (err) {
      if (!(err instanceof AppError) || options.strict) throw err
      const id =
        typeof element === 'object' && element !== null
          ? (element as Record<string, unknown>)['customer_id']
          : undefined // narrowed: any object may hold it
      records.push({
        kind: 'invalid',
        // An id over its bound is kept only in the element (field_too_long names it).
        customerId:
          typeof id === 'string' && id !== '' && withinLength(id, MAX_ID_LENGTH) ? id : null,
        payload: {
          code: err.code,
          reason: `${wireError(err.code, 'bulk', err.params).message} (element skipped; spec §7.3)`,
          element,
        },
      })
    }
  }
  return records
}

/** spec §6.3: a user's or event's records of a request with `project_code` carry the project. */
export function withProject(record: ParsedRecord, project: string): void {
  if (record.kind === 'customer' || record.kind === 'event') record.payload.project = project
}

/** The version of the row format below; a row of another version expands to invalid records. */
const ROW_VERSION = 1

/**
 * The payload of a Bulk row: the body text as sent (already validated, so JSON) inside an
 * envelope with the options its records are derived with. String concatenation, not
 * JSON.stringify: the body is never parsed or serialized again on the request thread.
 */
export function bulkRowPayload(bodyText: string, options: BulkOptions): string {
  const identifiers =
    options.identifiers === undefined ? 'null' : JSON.stringify(options.identifiers)
  const project = options.project === undefined ? 'null' : JSON.stringify(options.project)
  return `{"v":${ROW_VERSION},"identifiers":${identifiers},"project":${project},"body":${bodyText}}`
}

type RowEnvelope = { v?: unknown; identifiers?: unknown; project?: unknown; body?: unknown }

/**
 * The records of a Bulk row, as the request thread validated them (never strict: a strict request
 * with an invalid element was refused, so all its elements are valid). Always exactly
 * `row.records` records, so seqs stay dense and the processor never stalls on a row: should the
 * payload not yield them (a damaged row, or one written by a version whose validation differed),
 * each missing record is an `invalid` record saying so, and surplus records are dropped.
 */
export const expandBulkRow: LogRowExpander = (row: BulkLogRow): LogRecord[] => {
  let parsed: ParsedRecord[]
  let problem: string | undefined
  try {
    const envelope = JSON.parse(row.payload) as RowEnvelope // written by bulkRowPayload
    if (envelope.v !== ROW_VERSION) throw new Error(`row format ${String(envelope.v)}`)
    const body = envelope.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new Error('the row holds no body')
    }
    parsed = parseBulk(body as JsonObject, {
      strict: false,
      ...(Array.isArray(envelope.identifiers)
        ? { identifiers: envelope.identifiers as string[] } // written from WorkspaceSettings
        : {}),
    })
    const project = envelope.project
    if (typeof project === 'string') for (const r of parsed) withProject(r, project)
    if (parsed.length !== row.records) {
      problem = `the body yields ${parsed.length} records, the row reserved ${row.records}`
    }
  } catch (err) {
    parsed = []
    problem = err instanceof Error ? err.message : String(err)
  }
  const first = row.seq - row.records + 1
  const out = new Array<LogRecord>(row.records)
  for (let i = 0; i < row.records; i++) {
    const r = parsed[i]
    out[i] = bulkRecord(
      row,
      first + i,
      i,
      r ?? {
        kind: 'invalid',
        customerId: null,
        payload: {
          code: 'bulk_row_unreadable',
          reason: `Bulk log row unreadable: ${problem}`,
          element: null,
        },
      },
    )
  }
  return out
}

/**
 * One record of a Bulk row. Its payload object goes to the processor as it is (store/payloads.ts)
 * and is serialized only if its text is read, unless the text would not give it back exactly (a
 * number such as 1e400, read as Infinity, is written as null): such a record carries its text,
 * and is read from that like any logged record.
 */
function bulkRecord(row: BulkLogRow, seq: number, index: number, r: ParsedRecord): LogRecord {
  const { workspaceId, requestId, receivedAt } = row
  const fields = { seq, workspaceId, requestId, index, kind: r.kind, customerId: r.customerId, receivedAt }
  if (survivesJson(r.payload)) return recordOfPayload(fields, r.payload)
  return { ...fields, payload: JSON.stringify(r.payload) }
}
