// Rejections: every skipped or dead record with the rule that kept it out, newest first,
// filterable by outcome and by words of the reason.
import { useState } from 'preact/hooks'
import { api, formatTime, query, wsPath } from '../api'
import { PagedTable, type Table } from '../components'
import { SelectField, SubmitForm, TextField } from '../forms'
import { usePages } from '../hooks'
import type { Page, PageProps } from './page'

// The API's answer and the outcome options: alike in shape to users.tsx's (data, not logic).
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

const OUTCOMES = [
  ['', 'skipped and dead'],
  ['skipped', 'skipped'],
  ['dead', 'dead'],
] as const

const TABLE: Table<Rejection> = {
  label: 'Rejected records',
  caption: 'Records kept out, newest first',
  key: (r) => r.seq,
  columns: [
    { head: 'When', cell: (r) => formatTime(r.at) },
    { head: 'Kind', cell: (r) => r.kind },
    { head: 'Outcome', class: (r) => `outcome-${r.outcome}`, cell: (r) => r.outcome },
    { head: 'Reason', class: () => 'reason', cell: (r) => r.reason },
    {
      head: 'Request',
      cell: (r) => (
        <a href={`#/requests/${encodeURIComponent(r.request_id)}`}>
          {r.request_id} #{r.index}
        </a>
      ),
    },
  ],
}

function Rejections(props: PageProps) {
  const [outcome, setOutcome] = useState('')
  const [reason, setReason] = useState('')
  const paged = usePages(
    async (before: number | null) => {
      const q = query({ outcome, reason, before })
      const result = await api<RejectionPage>('GET', wsPath(props.ws, 'rejections') + q)
      return { rows: result.records, next: result.next_before }
    },
    [props.ws],
  )
  return (
    <section>
      <h1>Rejected records</h1>
      <SubmitForm class="search" submit="Filter" onSubmit={() => paged.load(null)}>
        <SelectField label="Outcome" value={outcome} onValue={setOutcome} options={OUTCOMES} />
        <TextField label="Reason contains" type="search" value={reason} onValue={setReason} />
      </SubmitForm>
      <PagedTable paged={paged} table={TABLE} none="No rejected records." more="Older" />
    </section>
  )
}

export const rejectionsPage: Page = {
  path: 'rejections',
  title: 'Rejections',
  component: Rejections,
}
