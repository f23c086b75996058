// Requests: the workspace's recent requests; #/requests/<id> shows what became of each record
// (what GET /inlet/v1/requests/{request_id} answers).
import { api, formatTime, query, wsPath } from '../api'
import { DataTable, Loaded, PagedTable, type Table } from '../components'
import { useApi, usePages } from '../hooks'
import type { Page, PageProps } from './page'

type RequestList = {
  requests: { request_id: string; received_at: string; records: number; kinds: string[] }[]
  next_before: number | null
}
type Report = {
  request_id: string
  received_at?: string
  details_expired: boolean
  summary: Record<string, number>
  records: {
    index: number
    kind: string
    customer_id: string | null
    outcome: string
    reason?: string
    notes?: string[]
  }[]
}

function Requests(props: PageProps) {
  const id = props.rest[0]
  return id === undefined ? <RequestList ws={props.ws} /> : <RequestView ws={props.ws} id={id} />
}

type Listed = RequestList['requests'][number]
type RecordRow = Report['records'][number]

const LIST: Table<Listed> = {
  label: 'Recent requests',
  caption: 'Recent requests (newest first, while the log keeps them)',
  key: (r) => r.request_id,
  columns: [
    {
      head: 'Request',
      cell: (r) => <a href={`#/requests/${encodeURIComponent(r.request_id)}`}>{r.request_id}</a>,
    },
    { head: 'Received', cell: (r) => formatTime(r.received_at) },
    { head: 'Records', cell: (r) => r.records },
    { head: 'Kinds', cell: (r) => r.kinds.join(', ') },
  ],
}

const RECORDS: Table<RecordRow> = {
  label: 'Records of the request',
  key: (r) => r.index,
  columns: [
    { head: '#', cell: (r) => r.index },
    { head: 'Kind', cell: (r) => r.kind },
    { head: 'customer_id', cell: (r) => r.customer_id ?? '—' },
    { head: 'Outcome', class: (r) => `outcome-${r.outcome}`, cell: (r) => r.outcome },
    { head: 'Why', cell: (r) => r.reason ?? (r.notes ?? []).join('; ') },
  ],
}

function RequestList(props: { ws: string }) {
  const paged = usePages(
    async (before: number | null) => {
      const page = await api<RequestList>('GET', wsPath(props.ws, 'requests') + query({ before }))
      return { rows: page.requests, next: page.next_before }
    },
    [props.ws],
  )
  return (
    <section>
      <h1>Requests</h1>
      <button type="button" onClick={() => paged.load(null)}>
        Refresh
      </button>
      <PagedTable paged={paged} table={LIST} more="Older requests" />
    </section>
  )
}

function RequestView(props: { ws: string; id: string }) {
  const report = useApi<Report>(wsPath(props.ws, 'requests', props.id))
  return (
    <section>
      <p>
        <a href="#/requests">← Requests</a>
      </p>
      <h1>Request {props.id}</h1>
      <Loaded state={report}>
        {(data) => (
          <>
            <p>
              Received {formatTime(data.received_at ?? null)} ·{' '}
              {Object.entries(data.summary)
                .map(([k, v]) => `${v} ${k}`)
                .join(', ')}
              {data.details_expired
                ? ' · the log no longer holds its records: only problems are listed'
                : ''}
            </p>
            <DataTable table={RECORDS} rows={data.records} />
          </>
        )}
      </Loaded>
    </section>
  )
}

export const requestsPage: Page = { path: 'requests', title: 'Requests', component: Requests }
