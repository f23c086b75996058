// Live: records of the workspace as they are accepted and applied (server-sent events), newest
// first, filterable by kind and user, pausable; when the session ends the stream stops and the
// shell goes back to sign-in, as for any page.
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, formatTime, sessionEnded, wsPath } from '../api'
import type { Page, PageProps } from './page'

type LiveRecord = {
  seq: number
  kind: string
  customer_id: string | null
  request_id: string
  received_at: string
  payload: unknown
  state: string
  reason?: string
}

const KEEP = 300
/** How long after a refused stream (the session still there) it is opened again. */
const RETRY_MS = 2_000

function describe(r: LiveRecord): string {
  const p = r.payload as { action?: string; attributes?: Record<string, unknown> } | null
  if (r.kind === 'event' && typeof p?.action === 'string') return p.action
  return ''
}

function Live(props: PageProps) {
  const [records, setRecords] = useState<LiveRecord[]>([])
  const [paused, setPaused] = useState(false)
  const [kind, setKind] = useState('')
  const [user, setUser] = useState('')
  const [connected, setConnected] = useState(false)
  /** Bumped to open the stream again after the server refused it. */
  const [round, setRound] = useState(0)
  const pausedRef = useRef(false)
  const held = useRef<LiveRecord[]>([])
  pausedRef.current = paused
  useEffect(() => {
    const source = new EventSource(`/dashboard/api${wsPath(props.ws, 'live')}`)
    let retry: ReturnType<typeof setTimeout> | undefined
    source.onopen = () => setConnected(true)
    source.onerror = () => {
      setConnected(false)
      // Refused rather than dropped (EventSource gives up on a 401): ask whether the session is
      // still there — a 401 takes the shell back to sign-in; otherwise try again shortly.
      if (source.readyState !== EventSource.CLOSED) return
      api('GET', '/session').then(
        () => (retry = setTimeout(() => setRound((r) => r + 1), RETRY_MS)),
        () => undefined,
      )
    }
    source.onmessage = (message: MessageEvent<string>) => {
      const data = JSON.parse(message.data) as
        | ({ type: 'accepted' } & Omit<LiveRecord, 'state'>)
        | {
            type: 'applied'
            up_to: number
            outcomes: { seq: number; outcome: string; reason: string }[]
          }
        | { type: 'hello' }
        | { type: 'signed_out' }
      if (data.type === 'signed_out') {
        // The session ended (signed out, key rotated, expired): no reconnecting; sign in again.
        source.close()
        setConnected(false)
        sessionEnded()
      } else if (data.type === 'accepted') {
        const record = { ...data, state: 'accepted' }
        if (pausedRef.current) held.current.push(record)
        else setRecords((old) => [record, ...old].slice(0, KEEP))
      } else if (data.type === 'applied') {
        const outcomes = new Map(data.outcomes.map((o) => [o.seq, o]))
        const settle = (r: LiveRecord): LiveRecord => {
          if (r.state !== 'accepted' || r.seq > data.up_to) return r
          const o = outcomes.get(r.seq)
          return o === undefined || o.outcome === 'applied'
            ? { ...r, state: 'applied' }
            : { ...r, state: o.outcome, reason: o.reason }
        }
        held.current = held.current.map(settle)
        setRecords((old) => old.map(settle))
      }
    }
    return () => {
      source.close()
      clearTimeout(retry)
    }
  }, [props.ws, round])
  const resume = () => {
    setPaused(false)
    const waiting = held.current.reverse()
    held.current = []
    setRecords((old) => [...waiting, ...old].slice(0, KEEP))
  }
  const shown = records.filter(
    (r) =>
      (kind === '' || r.kind === kind) && (user === '' || (r.customer_id ?? '').includes(user)),
  )
  return (
    <section>
      <h1>Live</h1>
      <p role="status">
        {connected ? 'Connected: records appear as they are accepted and applied.' : 'Connecting…'}
        {paused ? ` Paused (${held.current.length} waiting).` : ''}
      </p>
      <div class="search">
        <label>
          Kind
          <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="">all</option>
            {['customer', 'event', 'device', 'merge', 'delete', 'invalid'].map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          User (customer_id contains)
          <input
            aria-label="User (customer_id contains)"
            value={user}
            onInput={(e) => setUser(e.currentTarget.value)}
          />
        </label>
        <button type="button" onClick={() => (paused ? resume() : setPaused(true))}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <ol class="live" aria-live="polite">
        {shown.map((r) => (
          <li key={r.seq} class={`state-${r.state}`}>
            <span class="kind">{r.kind}</span> <strong>{describe(r)}</strong> {r.customer_id ?? '—'}{' '}
            · <span class="state">{r.state}</span>
            {r.reason === undefined ? '' : `: ${r.reason}`} · {formatTime(r.received_at)} · request{' '}
            <a href={`#/requests/${encodeURIComponent(r.request_id)}`}>{r.request_id}</a>
          </li>
        ))}
      </ol>
      {shown.length === 0 ? <p>Nothing yet: send data to the API and it shows here.</p> : null}
    </section>
  )
}

export const livePage: Page = { path: 'live', title: 'Live', component: Live }
