/**
 * What became of each record of one accepted request, from its log records (while the log holds
 * them), its outcome rows and the processor's cursor: the answer of `GET /inlet/v1/requests/
 * {request_id}` (families/data/routes/requests.ts) and of the dashboard's request view.
 */
import type { RecordReport, RequestReport } from '../core/reports.js'
import type { LogRecord, RecordOutcomeRow } from '../store/store.js'

export type { RecordReport, RequestReport }

export function buildRequestReport(
  requestId: string,
  logged: readonly LogRecord[],
  outcomes: readonly RecordOutcomeRow[],
  cursor: number,
): RequestReport | undefined {
  if (logged.length === 0 && outcomes.length === 0) return undefined
  const bySeq = new Map(outcomes.map((o) => [o.seq, o]))
  const records: RecordReport[] =
    logged.length > 0
      ? logged.map((r) => report(r, bySeq.get(r.seq), cursor))
      : outcomes.map((o) => outcomeReport(o))
  const summary = { pending: 0, applied: 0, skipped: 0, dead: 0 }
  for (const r of records) summary[r.outcome]++
  const first = logged[0]
  return {
    status: 'success',
    request_id: requestId,
    ...(first === undefined ? {} : { received_at: new Date(first.receivedAt).toISOString() }),
    details_expired: logged.length === 0,
    summary,
    records,
  }
}

function report(r: LogRecord, o: RecordOutcomeRow | undefined, cursor: number): RecordReport {
  const base = {
    index: r.index,
    kind: r.kind,
    customer_id: r.customerId,
    payload: parseOr(r.payload, r.payload), // JSON written by ingest/accept.ts
  }
  if (o !== undefined) return { ...outcomeReport(o), ...base }
  return { ...base, outcome: r.seq <= cursor ? 'applied' : 'pending' }
}

function outcomeReport(o: RecordOutcomeRow): RecordReport {
  const base = { index: o.index, kind: o.kind, customer_id: null, outcome: o.outcome }
  return o.outcome === 'applied'
    ? { ...base, notes: notesOf(o.reason) } // processor.ts writes a JSON array of strings
    : { ...base, reason: o.reason }
}

/**
 * A stored record that is not the JSON it should be (a damaged log: the very records that end up
 * `dead`) is shown as its text instead of failing the whole report.
 */
function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return fallback
  }
}

function notesOf(text: string): string[] {
  const notes = parseOr(text, [text])
  return Array.isArray(notes) ? notes.map(String) : [text]
}
