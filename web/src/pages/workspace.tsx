// Workspace: records per minute accepted and refused per Data API endpoint over the last hour
// or day against its quota, the ingestion lag, the settings, and key rotation for operators.
import { useState } from 'preact/hooks'
import { api, wsPath } from '../api'
import { MinuteChart } from '../chart'
import { DataTable, ErrorLine, Loaded, errorText, type Column, type Table } from '../components'
import { SelectField, SubmitForm, TextField } from '../forms'
import { useApi } from '../hooks'
import type { Page, PageProps } from './page'

type Overview = {
  workspace: {
    workspace_id: string
    name: string
    state: string
    key_set: boolean
    previous_key_expires_at: string | null
    limits: Record<string, number>
    settings: Record<string, unknown>
  }
  lag: { records: number; oldest_ms: number }
  span: 'hour' | 'day'
  traffic: Record<string, { minute: number; accepted: number; refused: number }[]>
  operator: boolean
}

type Setting = { key: string; value: string; class?: string }

const SETTING_COLUMNS: readonly Column<Setting>[] = [
  { rowHeader: true, cell: (r) => r.key },
  { class: (r) => r.class, cell: (r) => r.value },
]
const QUOTAS: Table<Setting> = {
  label: 'Quotas',
  caption: 'Quotas per minute (spec §5.1)',
  key: (r) => r.key,
  columns: SETTING_COLUMNS,
}
const SETTINGS: Table<Setting> = { label: 'Settings', key: (r) => r.key, columns: SETTING_COLUMNS }

function Workspace(props: PageProps) {
  const [span, setSpan] = useState<'hour' | 'day'>('hour')
  const overview = useApi<Overview>(wsPath(props.ws, 'overview') + `?span=${span}`)
  return (
    <section>
      <h1>Workspace {props.ws}</h1>
      <Loaded state={overview}>
        {(data) => (
          <>
            <Traffic data={data} span={span} setSpan={setSpan} />
            <h2>Ingestion lag</h2>
            <p>
              {data.lag.records} records accepted and not yet applied; the oldest waited{' '}
              {data.lag.oldest_ms} ms.
            </p>
            <h2>Quotas and settings</h2>
            <DataTable
              table={QUOTAS}
              rows={Object.entries(data.workspace.limits).map(([key, v]) => ({
                key,
                value: String(v),
              }))}
            />
            <DataTable
              table={SETTINGS}
              rows={[
                { key: 'State', value: data.workspace.state },
                ...Object.entries(data.workspace.settings).map(([key, v]) => ({
                  key,
                  value: JSON.stringify(v),
                  class: 'value',
                })),
              ]}
            />
            {data.operator ? <RotateKey ws={props.ws} onDone={overview.reload} /> : null}
          </>
        )}
      </Loaded>
    </section>
  )
}

const SPANS = [
  ['hour', 'last hour'],
  ['day', 'last day'],
] as const

/** Each Data API endpoint's name and the quota its records count against (spec §5.1). */
const APIS: Readonly<Record<string, { title: string; quotas: readonly string[] }>> = {
  customer: { title: 'Track User', quotas: ['track_user'] },
  event: { title: 'Create Event', quotas: ['create_event'] },
  device: { title: 'Track Device', quotas: ['track_device'] },
  bulk: { title: 'Bulk Import', quotas: ['bulk_users', 'bulk_events'] },
  merge: { title: 'Merge Users', quotas: ['merge'] },
  delete: { title: 'Delete Users', quotas: ['delete'] },
  opt_out: { title: 'Device Opt-out', quotas: ['device_opt_out'] },
  export: { title: 'Get User', quotas: ['get_user'] },
  gdpr: { title: 'GDPR', quotas: [] },
  inlet: { title: "Inlet's extensions (Install info, merge undo)", quotas: [] },
  dashboard: { title: 'Dashboard (merge undo)', quotas: [] },
  scheduled: { title: 'Scheduled deletions', quotas: [] },
  settings: { title: 'Settings (identity re-index)', quotas: [] },
  invalid: { title: 'Invalid records (logged before counts by API)', quotas: [] },
}
const titleOf = (endpoint: string): string => APIS[endpoint]?.title ?? endpoint

type Endpoint = [endpoint: string, minutes: Overview['traffic'][string]]

const total = (list: Endpoint[1], pick: 'accepted' | 'refused') =>
  list.reduce((n, c) => n + c[pick], 0)

const ENDPOINTS: Table<Endpoint> = {
  label: 'Records per API',
  caption: 'Records per API over the span',
  key: ([endpoint]) => endpoint,
  columns: [
    { head: 'API', rowHeader: true, cell: ([endpoint]) => titleOf(endpoint) },
    { head: 'Accepted', cell: ([, list]) => total(list, 'accepted') },
    { head: 'Refused', cell: ([, list]) => total(list, 'refused') },
  ],
}

function Traffic(props: {
  data: Overview
  span: 'hour' | 'day'
  setSpan: (s: 'hour' | 'day') => void
}) {
  const endpoints = Object.entries(props.data.traffic)
  const busiest = [...endpoints].sort(
    ([, a], [, b]) =>
      total(b, 'accepted') + total(b, 'refused') - total(a, 'accepted') - total(a, 'refused'),
  )[0]?.[0]
  const [chosen, setChosen] = useState<string | undefined>(undefined)
  const api = chosen !== undefined && chosen in props.data.traffic ? chosen : busiest
  const list = api === undefined ? [] : (props.data.traffic[api] ?? [])
  const minutes = list.map((c) => c.minute)
  const quotas = APIS[api ?? '']?.quotas ?? []
  const limits = props.data.workspace.limits
  const quota = quotas.reduce((n, q) => n + (limits[q] ?? 0), 0)
  return (
    <>
      <h2>Records per minute</h2>
      <div class="search">
        <SelectField
          label="Span"
          value={props.span}
          onValue={(v) => props.setSpan(v === 'day' ? 'day' : 'hour')}
          options={SPANS}
        />
        {api === undefined ? null : (
          <SelectField
            label="API"
            value={api}
            onValue={setChosen}
            options={endpoints.map(([endpoint]) => [endpoint, titleOf(endpoint)] as const)}
          />
        )}
      </div>
      {api === undefined ? (
        <p>No Data API records in this span.</p>
      ) : (
        <MinuteChart
          title={`${titleOf(api)}: records per minute, accepted and refused${quota > 0 ? `, against the quota (${quotas.join(' + ')}: ${quota}/min)` : ''}`}
          minutes={minutes}
          series={[
            { label: 'accepted', values: list.map((c) => c.accepted), stroke: '#1b6e3a' },
            { label: 'refused', values: list.map((c) => c.refused), stroke: '#b3261e' },
            ...(quota > 0
              ? [{ label: 'quota', values: minutes.map(() => quota), stroke: '#555', dash: [6, 4] }]
              : []),
          ]}
        />
      )}
      <DataTable table={ENDPOINTS} rows={endpoints} />
    </>
  )
}

function RotateKey(props: { ws: string; onDone: () => void }) {
  const [grace, setGrace] = useState('0')
  const [key, setKey] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const rotate = async () => {
    setError(undefined)
    try {
      const path = wsPath(props.ws, 'key', 'rotate')
      const body = { grace_seconds: Number(grace) }
      const result = await api<{ data_api_key: string }>('POST', path, body)
      setKey(result.data_api_key)
      props.onDone()
    } catch (e) {
      setError(errorText(e))
    }
  }
  return (
    <>
      <h2>Data API key</h2>
      <SubmitForm class="search" submit="Rotate key" onSubmit={() => void rotate()}>
        <TextField
          label="Grace period for the old key (seconds)"
          inputMode="numeric"
          value={grace}
          onValue={setGrace}
        />
      </SubmitForm>
      <ErrorLine error={error} />
      {key === undefined ? null : (
        <p role="status">
          New Data API key (shown only now): <code class="secret">{key}</code>
        </p>
      )}
    </>
  )
}

export const workspacePage: Page = { path: 'workspace', title: 'Workspace', component: Workspace }
