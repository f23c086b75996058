/**
 * Answers of Inlet as types: the success envelope of spec §4.1 (http/route.ts), and those of
 * Inlet's own read-back endpoints: what became of each record of a request
 * (`GET /inlet/v1/requests/{request_id}`, built by http/request-report.ts) and the state of a GDPR
 * erasure (`GET /inlet/v1/gdpr/{request_id}`, families/data/routes/gdpr.ts). Kept here, free of
 * any import, so the client SDK (src/client) types its answers with the server's own types.
 */

/** spec §4.1: the answer of an accepted request (Track User, Create Event, Bulk, …). */
export type AcceptedBody = { status: 'success'; message: string; request_id: string }

export type RecordReport = {
  index: number
  kind: string
  customer_id: string | null
  /** pending: accepted, not yet applied. */
  outcome: 'pending' | 'applied' | 'skipped' | 'dead'
  reason?: string
  notes?: string[]
  /** The record as logged (only while the request is in the log). */
  payload?: unknown
}

export type RequestReport = {
  status: 'success'
  request_id: string
  received_at?: string
  /** true when the log no longer holds the request: `records` lists only non-clean outcomes. */
  details_expired: boolean
  summary: Record<RecordReport['outcome'], number>
  records: RecordReport[]
}

export type GdprReport = {
  status: 'success'
  request_id: string
  request_type: 'erasure'
  /** pending: accepted, not carried out yet; done: erased (counts in `erased`). */
  state: 'pending' | 'done'
  received_at: string
  completed_at?: string
  erased?: Record<string, number>
}
