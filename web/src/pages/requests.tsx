// Requests: the workspace's recent requests; #/requests/<id> shows what became of each record
// (what GET /inlet/v1/requests/{request_id} answers).
import { useState } from 'preact/hooks'
import { api, formatTime, query, wsPath } from '../api'
import { ErrorLine, TableRegion } from '../components'
import { useApi } from '../hooks'
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

function RequestList(props: { ws: string }) {
  const first = useApi<RequestList>(wsPath(props.ws, 'requests'))
  const [more, setMore] = useState<RequestList[]>([])
  const pages = first.data === undefined ? [] : [first.data, ...more]
  const next = pages.at(-1)?.next_before ?? null
  const rows = pages.flatMap((p) => p.requests)
  return (
    <section>
      <h1>Requests</h1>
      <button type="button" onClick={() => (setMore([]), first.reload())}>
        Refresh
      </button>
      <ErrorLine error={first.error} />
      <TableRegion label="Recent requests">
        <table>
          <caption>Recent requests (newest first, while the log keeps them)</caption>
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">Received</th>
              <th scope="col">Records</th>
              <th scope="col">Kinds</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.request_id}>
                <td>
                  <a href={`#/requests/${encodeURIComponent(r.request_id)}`}>{r.request_id}</a>
                </td>
                <td>{formatTime(r.received_at)}</td>
                <td>{r.records}</td>
                <td>{r.kinds.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      {next !== null ? (
        <button
          type="button"
          onClick={() =>
            void api<RequestList>(
              'GET',
              wsPath(props.ws, 'requests') + query({ before: next }),
            ).then((p) => setMore((old) => [...old, p]))
          }
        >
          Older requests
        </button>
      ) : null}
    </section>
  )
}

function RequestView(props: { ws: string; id: string }) {
  const { data, error } = useApi<Report>(wsPath(props.ws, 'requests', props.id))
  return (
    <section>
      <p>
        <a href="#/requests">← Requests</a>
      </p>
      <h1>Request {props.id}</h1>
      <ErrorLine error={error} />
      {data === undefined ? null : (
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
          <TableRegion label="Records of the request">
            <table>
              <caption>Records of the request</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Kind</th>
                  <th scope="col">customer_id</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {data.records.map((r) => (
                  <tr key={r.index}>
                    <td>{r.index}</td>
                    <td>{r.kind}</td>
                    <td>{r.customer_id ?? '—'}</td>
                    <td class={`outcome-${r.outcome}`}>{r.outcome}</td>
                    <td>{r.reason ?? (r.notes ?? []).join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        </>
      )}
    </section>
  )
}

export const requestsPage: Page = { path: 'requests', title: 'Requests', component: Requests }
