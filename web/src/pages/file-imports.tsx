// File Imports: the workspace's file imports (defined through the admin API or `inlet workspaces
// file-imports`, run by the schedule or POST /v1.0/data/fileimports/trigger/{import_id}), each
// with its source, kind, schedule, next run and state, and its runs newest first — their state,
// file, rows read, stored and rejected with the first rejected rows' reasons, how far the
// checkpoint got through the file, the claims, the times and the error of a failed run.
// Refreshed on demand: a run goes on in the background.
import { formatTime, wsPath } from '../api'
import { DataTable, DefinitionsPage, type Table } from '../components'
import { useApi } from '../hooks'
import type { Page, PageProps } from './page'

type Reject = { row: number | null; line: number | null; reason: string }
type Run = {
  run_id: string
  file_name: string
  file_url: string
  origin: string
  state: string
  status_msg: string
  scheduled_at: string
  started_at: string | null
  completed_at: string | null
  file_size: number | null
  total_rows: number
  accepted: number
  rejected: number
  rejects: Reject[]
  progress: { bytes_done: number; bytes_total: number; rows: number; done: boolean } | null
  claims: number
  error: string | null
}
type Schedule = { type: string; interval_minutes?: number; daily_at?: string }
type Import = {
  import_id: string
  name: string
  source: string
  type: string
  format: string
  schedule: Schedule
  next_run_at: string | null
  last_triggered_at: string | null
  status: string
  import_source: string
  total_files: number
  processed_files: number
  total_rows: number
  processed_rows: number
  runs: Run[]
  more_runs: boolean
}

/** When the import runs, in a line. */
function scheduleText(s: Schedule): string {
  if (s.type === 'ONETIME') return 'once, when defined'
  if (s.interval_minutes !== undefined) return `every ${s.interval_minutes} minutes`
  return `daily at ${s.daily_at ?? ''} UTC`
}

/** The class that colours a state: green when every row was stored, red when the run failed. */
function stateClass(state: string): string | undefined {
  if (state === 'SUCCESSFUL') return 'outcome-applied'
  if (state === 'FAILED') return 'outcome-failed'
  return undefined
}

/** How far the checkpoint got through the file. */
function progressText(p: Run['progress']): string {
  if (p === null) return '—'
  const percent = p.bytes_total === 0 ? 100 : Math.floor((p.bytes_done * 100) / p.bytes_total)
  return `${p.done ? 'done' : `${percent}%`} · ${p.rows} rows`
}

function RejectList(props: { run: Run }) {
  const { run } = props
  if (run.rejected === 0) return <>0</>
  const shown = run.rejects.length < run.rejected ? ` (first ${run.rejects.length})` : ''
  return (
    <details>
      <summary>{run.rejected}</summary>
      <ul aria-label={`Rejected rows of ${run.file_name}${shown}`}>
        {run.rejects.map((r) => (
          <li key={`${r.row ?? ''}-${r.line ?? ''}`}>
            row {r.row ?? '?'} (line {r.line ?? '?'}): <span class="reason">{r.reason}</span>
          </li>
        ))}
      </ul>
    </details>
  )
}

const runs = (i: Import): Table<Run> => ({
  label: `Runs of ${i.name}`,
  caption: `Runs of ${i.name}, newest first`,
  key: (r) => r.run_id,
  empty: `No runs yet: ${i.name} runs ${scheduleText(i.schedule)}, or trigger it with POST /v1.0/data/fileimports/trigger/${i.import_id}.`,
  columns: [
    { head: 'File', rowHeader: true, cell: (r) => <span title={r.file_url}>{r.file_name}</span> },
    { head: 'State', class: (r) => stateClass(r.state), cell: (r) => r.state },
    { head: 'Rows', cell: (r) => r.total_rows },
    { head: 'Stored', cell: (r) => r.accepted },
    { head: 'Rejected', cell: (r) => <RejectList run={r} /> },
    { head: 'Progress', cell: (r) => progressText(r.progress) },
    { head: 'Started', cell: (r) => formatTime(r.started_at) },
    { head: 'Finished', cell: (r) => formatTime(r.completed_at) },
    { head: 'Claims', cell: (r) => r.claims },
    { head: 'Message', class: () => 'reason', cell: (r) => r.error ?? r.status_msg },
  ],
})

function ImportView(props: { i: Import }) {
  const { i } = props
  return (
    <section aria-label={`Import ${i.name}`}>
      <h2>{i.name}</h2>
      <dl class="facts">
        <dt>Import id</dt>
        <dd>
          <code>{i.import_id}</code>
        </dd>
        <dt>Source</dt>
        <dd>
          <code>{i.source}</code> ({i.import_source}, {i.format}, {i.type})
        </dd>
        <dt>Schedule</dt>
        <dd>{scheduleText(i.schedule)}</dd>
        <dt>Next run</dt>
        <dd>{formatTime(i.next_run_at)}</dd>
        <dt>State</dt>
        <dd class={stateClass(i.status)}>{i.status}</dd>
        <dt>Files and rows</dt>
        <dd>
          {i.processed_files} of {i.total_files} files done · {i.processed_rows} of {i.total_rows}{' '}
          rows stored
        </dd>
      </dl>
      <DataTable table={runs(i)} rows={i.runs} />
      {i.more_runs ? <p>Only the newest {i.runs.length} runs are shown.</p> : null}
    </section>
  )
}

function FileImports(props: PageProps) {
  const listing = useApi<{ imports: Import[] }>(wsPath(props.ws, 'file-imports'))
  return (
    <DefinitionsPage
      title="File Imports"
      intro="Imports of CSV and JSON-lines files from a server directory or a URL, and their runs."
      listing={listing}
      items={(data) => data.imports}
      none="No file imports: define one with POST /inlet/v1/admin/workspaces/<id>/file-imports."
      view={(i) => <ImportView key={i.import_id} i={i} />}
    />
  )
}

export const fileImportsPage: Page = {
  path: 'file-imports',
  title: 'File Imports',
  component: FileImports,
}
