// Segments: the workspace's segments — filter segments (made through /v3/custom-segments), file
// segments and cohorts, each list with its source, member count and last import (with the values
// that named no user or several) — and one segment with its description, its definition, its
// member count and its members a page at a time, each linking to the profile.
import { api, formatTime, query, wsPath } from '../api'
import { DataTable, Loaded, PagedTable, type Table } from '../components'
import { useApi, usePages } from '../hooks'
import type { Page, PageProps } from './page'

type LastImport = {
  operation: string
  state: string
  status: number | null
  error: string | null
  values_found: number
  values_processed: number
  user_count: number
  unmatched: number
  ambiguous: number
  at: string
}
type SegmentList = {
  kind: 'file' | 'cohort'
  partner: string | null
  cohort_id: string | null
  members: number
  last_import: LastImport | null
}
type SegmentSummary = {
  id: string
  name: string
  description: string
  type: string
  source: string
  created_at: string
  updated_at: string
  archived: boolean
  list: SegmentList | null
}
type SegmentDetail = SegmentSummary & {
  included_filters: unknown
  count: number | null
  problem: string | null
}
type Member = { id: string; customer_id: string | null; email: string | null; name: string | null }
type MembersPage = { members: Member[]; next_after: string | null }

const LIST: Table<SegmentSummary> = {
  label: 'Segments',
  caption: 'Segments, oldest first',
  key: (s) => s.id,
  empty: 'No segments yet: create one with POST /v3/custom-segments.',
  columns: [
    {
      head: 'Name',
      rowHeader: true,
      cell: (s) => <a href={`#/segments/${encodeURIComponent(s.id)}`}>{s.name}</a>,
    },
    { head: 'Source', cell: sourceOf },
    { head: 'Description', class: () => 'reason', cell: (s) => s.description },
    { head: 'Members', cell: (s) => (s.list === null ? 'computed' : String(s.list.members)) },
    { head: 'Last import', class: () => 'reason', cell: (s) => importOf(s.list) },
    { head: 'Updated', cell: (s) => formatTime(s.updated_at) },
    { head: 'State', cell: (s) => (s.archived ? 'archived' : 'active') },
  ],
}

/** Where a segment's members come from. */
function sourceOf(s: SegmentSummary): string {
  if (s.list === null) return 'filters'
  if (s.list.kind === 'file') return 'file'
  return `cohort ${s.list.cohort_id ?? ''} of ${s.list.partner ?? ''}`
}

/** A list's last import: its state or outcome, its counts, unmatched and ambiguous values. */
function importOf(list: SegmentList | null): string {
  const last = list?.last_import
  if (last === undefined || last === null) return '—'
  if (last.state === 'queued' || last.state === 'running') return `${last.operation}: ${last.state}`
  if (last.status !== 201) return `${last.operation} failed: ${last.error ?? String(last.status)}`
  return (
    `${last.operation} ${formatTime(last.at)}: ${last.user_count} matched of ` +
    `${last.values_processed} (${last.values_found} rows), ${last.unmatched} unmatched, ` +
    `${last.ambiguous} ambiguous`
  )
}

const MEMBERS: Table<Member> = {
  label: 'Members',
  key: (m) => m.id,
  columns: [
    {
      head: 'customer_id',
      cell: (m) => <a href={`#/users/${encodeURIComponent(m.id)}`}>{m.customer_id ?? m.id}</a>,
    },
    { head: 'Email', cell: (m) => m.email ?? '—' },
    { head: 'Name', cell: (m) => m.name ?? '—' },
  ],
}

function Segments(props: PageProps) {
  if (props.rest[0] !== undefined) return <Segment ws={props.ws} id={props.rest[0]} />
  const list = useApi<{ segments: SegmentSummary[] }>(wsPath(props.ws, 'segments'))
  return (
    <section>
      <h1>Segments</h1>
      <Loaded state={list}>{(data) => <DataTable table={LIST} rows={data.segments} />}</Loaded>
    </section>
  )
}

function Segment(props: { ws: string; id: string }) {
  const path = wsPath(props.ws, 'segments', encodeURIComponent(props.id))
  const detail = useApi<SegmentDetail>(path)
  const members = usePages(
    async (after: string | null) => {
      const page = await api<MembersPage>('GET', `${path}/members${query({ after })}`)
      return { rows: page.members, next: page.next_after }
    },
    [path],
  )
  return (
    <section>
      <p>
        <a href="#/segments">All segments</a>
      </p>
      <Loaded state={detail}>
        {(s) => (
          <>
            <h1>Segment {s.name}</h1>
            <p>{s.description}</p>
            <p>
              {s.count === null
                ? s.problem
                : `${s.count} ${s.count === 1 ? 'member' : 'members'} now`}
              ; made {formatTime(s.created_at)}, updated {formatTime(s.updated_at)}
              {s.archived ? '; archived' : ''}.
            </p>
            <h2>Definition</h2>
            <pre class="definition">{JSON.stringify(s.included_filters, null, 2)}</pre>
          </>
        )}
      </Loaded>
      <h2>Members</h2>
      <PagedTable paged={members} table={MEMBERS} none="No members." more="More members" />
    </section>
  )
}

export const segmentsPage: Page = { path: 'segments', title: 'Segments', component: Segments }
