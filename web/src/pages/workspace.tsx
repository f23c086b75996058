// Workspace: requests per minute accepted and refused per Data API endpoint over the last hour
// or day against the quota, the ingestion lag, the settings, and key rotation for operators.
import { useState } from 'preact/hooks'
import { api, wsPath } from '../api'
import { MinuteChart } from '../chart'
import { ErrorLine, TableRegion } from '../components'
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

function Workspace(props: PageProps) {
  const [span, setSpan] = useState<'hour' | 'day'>('hour')
  const { data, error, reload } = useApi<Overview>(wsPath(props.ws, 'overview') + `?span=${span}`)
  return (
    <section>
      <h1>Workspace {props.ws}</h1>
      <ErrorLine error={error} />
      {data === undefined ? null : (
        <>
          <Traffic data={data} span={span} setSpan={setSpan} />
          <h2>Ingestion lag</h2>
          <p>
            {data.lag.records} records accepted and not yet applied; the oldest waited{' '}
            {data.lag.oldest_ms} ms.
          </p>
          <h2>Quotas and settings</h2>
          <TableRegion label="Quotas">
            <table>
              <caption>Quotas per minute (spec §5.1)</caption>
              <tbody>
                {Object.entries(data.workspace.limits).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <TableRegion label="Settings">
            <table>
              <caption>Settings</caption>
              <tbody>
                <tr>
                  <th scope="row">State</th>
                  <td>{data.workspace.state}</td>
                </tr>
                {Object.entries(data.workspace.settings).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td class="value">{JSON.stringify(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          {data.operator ? <RotateKey ws={props.ws} onDone={reload} /> : null}
        </>
      )}
    </section>
  )
}

function Traffic(props: {
  data: Overview
  span: 'hour' | 'day'
  setSpan: (s: 'hour' | 'day') => void
}) {
  const endpoints = Object.entries(props.data.traffic)
  const minutes = endpoints[0]?.[1].map((c) => c.minute) ?? []
  const sum = (pick: 'accepted' | 'refused') =>
    minutes.map((_, i) => endpoints.reduce((n, [, list]) => n + (list[i]?.[pick] ?? 0), 0))
  const quota = props.data.workspace.limits['create_event'] ?? 0
  return (
    <>
      <h2>Requests per minute</h2>
      <label>
        Span
        <select
          aria-label="Span"
          value={props.span}
          onChange={(e) => props.setSpan(e.currentTarget.value === 'day' ? 'day' : 'hour')}
        >
          <option value="hour">last hour</option>
          <option value="day">last day</option>
        </select>
      </label>
      {minutes.length === 0 ? (
        <p>No Data API requests since this server started.</p>
      ) : (
        <MinuteChart
          title={`Data API requests per minute, accepted and refused, against the Create Event quota (${quota}/min)`}
          minutes={minutes}
          series={[
            { label: 'accepted', values: sum('accepted'), stroke: '#1b6e3a' },
            { label: 'refused', values: sum('refused'), stroke: '#b3261e' },
            { label: 'quota', values: minutes.map(() => quota), stroke: '#555', dash: [6, 4] },
          ]}
        />
      )}
      <TableRegion label="Requests per endpoint">
        <table>
          <caption>Per endpoint over the span</caption>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Accepted</th>
              <th scope="col">Refused</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map(([endpoint, list]) => (
              <tr key={endpoint}>
                <th scope="row">{endpoint}</th>
                <td>{list.reduce((n, c) => n + c.accepted, 0)}</td>
                <td>{list.reduce((n, c) => n + c.refused, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
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
      const result = await api<{ data_api_key: string }>(
        'POST',
        wsPath(props.ws, 'key', 'rotate'),
        {
          grace_seconds: Number(grace),
        },
      )
      setKey(result.data_api_key)
      props.onDone()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  return (
    <>
      <h2>Data API key</h2>
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault()
          void rotate()
        }}
      >
        <label>
          Grace period for the old key (seconds)
          <input
            aria-label="Grace period for the old key (seconds)"
            inputMode="numeric"
            value={grace}
            onInput={(e) => setGrace(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Rotate key</button>
      </form>
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
