// Rejections: every skipped or dead record with the rule that kept it out, newest first,
// filterable by outcome and by words of the reason.
import { useEffect, useState } from 'preact/hooks'
import { api, formatTime, query, wsPath } from '../api'
import { ErrorLine, TableRegion } from '../components'
import type { Page, PageProps } from './page'

type Rejection = {
  seq: number
  request_id: string
  index: number
  kind: string
  outcome: string
  reason: string
  at: string
}
type RejectionPage = { records: Rejection[]; next_before: number | null }

function Rejections(props: PageProps) {
  const [outcome, setOutcome] = useState('')
  const [reason, setReason] = useState('')
  const [pages, setPages] = useState<RejectionPage[]>([])
  const [error, setError] = useState<string | undefined>(undefined)
  const load = async (before: number | null) => {
    setError(undefined)
    try {
      const page = await api<RejectionPage>(
        'GET',
        wsPath(props.ws, 'rejections') + query({ outcome, reason, before }),
      )
      setPages((old) => (before === null ? [page] : [...old, page]))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  useEffect(() => {
    void load(null)
  }, [props.ws])
  const rows = pages.flatMap((p) => p.records)
  const next = pages.at(-1)?.next_before ?? null
  return (
    <section>
      <h1>Rejected records</h1>
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault()
          void load(null)
        }}
      >
        <label>
          Outcome
          <select
            aria-label="Outcome"
            value={outcome}
            onChange={(e) => setOutcome(e.currentTarget.value)}
          >
            <option value="">skipped and dead</option>
            <option value="skipped">skipped</option>
            <option value="dead">dead</option>
          </select>
        </label>
        <label>
          Reason contains
          <input
            aria-label="Reason contains"
            type="search"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorLine error={error} />
      <TableRegion label="Rejected records">
        <table>
          <caption>Records kept out, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Kind</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reason</th>
              <th scope="col">Request</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.seq}>
                <td>{formatTime(r.at)}</td>
                <td>{r.kind}</td>
                <td class={`outcome-${r.outcome}`}>{r.outcome}</td>
                <td class="reason">{r.reason}</td>
                <td>
                  <a href={`#/requests/${encodeURIComponent(r.request_id)}`}>
                    {r.request_id} #{r.index}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      {rows.length === 0 && pages.length > 0 ? <p>No rejected records.</p> : null}
      {next !== null ? (
        <button type="button" onClick={() => void load(next)}>
          Older
        </button>
      ) : null}
    </section>
  )
}

export const rejectionsPage: Page = {
  path: 'rejections',
  title: 'Rejections',
  component: Rejections,
}
