// Outbox: the messages Inlet was asked to send (Inform alerts, Push campaigns, Live Activities), newest first, filtered by user,
// channel, status and time (and by campaign, #/outbox/<source>/<source_id>), kept up to date by the outbox stream (new messages and each status
// change); one message in full: an e-mail's HTML in a sandboxed frame (no script runs, the page's
// Content-Security-Policy applies), an SMS as text, a push as its title and message, a Live
// Activity's start, update or end as its alert and content state, the
// suppression or failure reason and the delivery attempts, linking to the user's profile.
import { useEffect, useState } from 'preact/hooks'
import { api, formatTime, query, wsPath } from '../api'
import { PagedTable, type Table } from '../components'
import { SelectField, SubmitForm, TextField } from '../forms'
import { usePages } from '../hooks'
import type { Page, PageProps } from './page'

type Message = {
  id: string
  seq: number
  rev: number
  channel: string
  source: string
  source_id: string
  user_id: string | null
  profile_id?: string | null | undefined
  recipient: string
  platform: string | null
  subject: string | null
  body: string
  payload: Record<string, unknown>
  template: string
  template_version: number
  transaction_id: string | null
  request_id: string
  status: string
  reason: string | null
  attempts: number
  created_at: string
  due_at: string | null
  updated_at: string
  erased_by_gdpr_request: string | null
}
type Listing = { messages: Message[]; next_cursor: string | null }
/** The messages of one campaign (#/outbox/<source>/<source_id>: the Push and Live Activities pages' links). */
type Source = { source: string; source_id: string } | undefined
type Filters = { user_id: string; channel: string; status: string; since: string; until: string }

const NO_FILTERS: Filters = { user_id: '', channel: '', status: '', since: '', until: '' }

function UserLink(props: { m: Message }) {
  const { m } = props
  if (m.user_id === null) return <>—</>
  if (m.profile_id === undefined || m.profile_id === null) return <>{m.user_id}</>
  return <a href={`#/users/${encodeURIComponent(m.profile_id)}`}>{m.user_id}</a>
}

function table(select: (m: Message) => void): Table<Message> {
  return {
    label: 'Messages',
    caption: 'Messages, newest first',
    key: (m) => m.id,
    empty: 'No messages: send one with POST /v1.0/alerts/send or POST /v2/transaction/sendpush.',
    columns: [
      {
        head: 'Message',
        rowHeader: true,
        cell: (m) => (
          <button type="button" class="link" onClick={() => select(m)}>
            {m.subject ?? m.body.slice(0, 40)}
          </button>
        ),
      },
      { head: 'Created', cell: (m) => formatTime(m.created_at) },
      { head: 'Channel', cell: (m) => m.channel },
      { head: 'User', cell: (m) => <UserLink m={m} /> },
      { head: 'Recipient', cell: (m) => m.recipient || '(erased)' },
      { head: 'Status', class: (m) => `outcome-${m.status}`, cell: (m) => m.status },
      { head: 'Why', class: () => 'reason', cell: (m) => m.reason ?? '' },
      { head: 'Attempts', cell: (m) => m.attempts },
    ],
  }
}

/** The rendered message as its channel shows it. */
function Rendering(props: { m: Message }) {
  const { m } = props
  if (m.erased_by_gdpr_request !== null) {
    return <p>Erased by GDPR request {m.erased_by_gdpr_request}: recipient and content redacted.</p>
  }
  if (m.channel === 'EMAIL') {
    return (
      <>
        <p>
          <strong>Subject:</strong> {m.subject ?? ''}
        </p>
        {/* No allow-* flag: no script, no form, no navigation of the page; its own origin. */}
        <iframe class="email-preview" title="E-mail preview" sandbox="" srcdoc={m.body} />
      </>
    )
  }
  if (m.channel === 'LIVE_ACTIVITY') {
    const { action, ios } = m.payload
    // The message's payload as the server records it: `ios` is the request's object.
    const state =
      typeof ios === 'object' && ios !== null
        ? (ios as { content_state?: unknown }).content_state
        : null
    return (
      <div class="push-preview" aria-label="Live Activity preview" role="group">
        <small>
          {typeof action === 'string' ? action : ''} of instance {m.recipient || '(erased)'}
        </small>
        <strong>{m.subject ?? ''}</strong>
        <p>{m.body}</p>
        <pre aria-label="Content state">{JSON.stringify(state ?? {}, null, 2)}</pre>
      </div>
    )
  }
  if (m.channel === 'CARDS') {
    return (
      <div class="push-preview" aria-label="Card preview" role="group">
        <strong>{m.subject ?? ''}</strong>
        <p>{m.body}</p>
        <small>
          {m.platform ?? 'unknown platform'}
          {typeof m.payload['campaign_name'] === 'string'
            ? ` · card campaign ${m.payload['campaign_name']}`
            : ''}
        </small>
      </div>
    )
  }
  if (m.channel === 'PUSH') {
    return (
      <div class="push-preview" aria-label="Push preview" role="group">
        <strong>{m.subject ?? ''}</strong>
        <p>{m.body}</p>
        <small>
          {m.platform ?? 'unknown platform'}
          {typeof m.payload['campaign_name'] === 'string'
            ? ` · campaign ${m.payload['campaign_name']}`
            : ''}
        </small>
      </div>
    )
  }
  return (
    <figure class="sms-preview">
      <pre aria-label="SMS text">{m.body}</pre>
      <figcaption>{m.body.length} characters</figcaption>
    </figure>
  )
}

function MessageView(props: { m: Message; onClose: () => void }) {
  const { m } = props
  const rows: [string, string | number][] = [
    ['Status', m.status],
    ['Reason', m.reason ?? '—'],
    ['Attempts', m.attempts],
    ['Next attempt', m.due_at === null ? '—' : formatTime(m.due_at)],
    ['Created', formatTime(m.created_at)],
    ['Last change', formatTime(m.updated_at)],
    ['Channel', m.channel],
    ['Recipient', m.recipient || '(erased)'],
    ['Source', `${m.source} ${m.source_id}`],
    ['Template', `${m.template} v${m.template_version}`],
    ['Transaction', m.transaction_id ?? '—'],
    ['Request', m.request_id],
    ['Message id (idempotency key)', m.id],
  ]
  return (
    <section aria-label="Message">
      <h2>Message {m.id}</h2>
      <button type="button" onClick={props.onClose}>
        Close
      </button>
      <p>
        User: <UserLink m={m} />
      </p>
      <Rendering m={m} />
      <div class="table-region" role="region" aria-label="Message details" tabIndex={0}>
        <table>
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Payload</h3>
      <pre class="definition">{JSON.stringify(m.payload, null, 2)}</pre>
    </section>
  )
}

/** The source of `#/outbox/<source>/<source_id>`, if the location names one. */
function sourceOf(rest: readonly string[]): Source {
  const [source, sourceId] = rest
  return source === undefined || sourceId === undefined
    ? undefined
    : { source, source_id: sourceId }
}

function Outbox(props: PageProps) {
  const from = sourceOf(props.rest)
  const [form, setForm] = useState<Filters>(NO_FILTERS)
  const [filters, setFilters] = useState<Filters>(NO_FILTERS)
  const [selected, setSelected] = useState<Message | undefined>(undefined)
  /** Messages the stream brought, by id: new ones first, changed ones replace their row. */
  const [live, setLive] = useState<Map<string, Message>>(new Map())
  const [connected, setConnected] = useState(false)
  const params = {
    source: from?.source ?? null,
    source_id: from?.source_id ?? null,
    user_id: filters.user_id || null,
    channel: filters.channel || null,
    status: filters.status || null,
    since: filters.since || null,
    until: filters.until || null,
  }
  const paged = usePages(
    async (cursor: string | null) => {
      const page = await api<Listing>(
        'GET',
        wsPath(props.ws, 'outbox') + query({ ...params, cursor }),
      )
      return { rows: page.messages, next: page.next_cursor }
    },
    [props.ws, JSON.stringify(filters), JSON.stringify(from)],
  )
  useEffect(() => {
    setLive(new Map())
    const source = new EventSource(
      `/dashboard/api${wsPath(props.ws, 'outbox', 'tail')}${query(params)}`,
    )
    source.onopen = () => setConnected(true)
    source.onerror = () => setConnected(false)
    source.onmessage = (event: MessageEvent<string>) => {
      const data = JSON.parse(event.data) as
        { type: 'message'; message: Message } | { type: 'hello' } | { type: 'signed_out' }
      if (data.type === 'signed_out') source.close()
      if (data.type !== 'message') return
      const m = data.message
      setLive((old) => {
        const next = new Map(old)
        const before = old.get(m.id)
        next.set(m.id, { ...m, profile_id: before?.profile_id })
        return next
      })
      setSelected((s) => (s?.id === m.id ? { ...m, profile_id: s.profile_id } : s))
    }
    return () => source.close()
  }, [props.ws, JSON.stringify(filters), JSON.stringify(from)])
  const listed = new Set(paged.rows.map((m) => m.id))
  const fresh = [...live.values()].filter((m) => !listed.has(m.id)).sort((a, b) => b.seq - a.seq)
  const rows = [
    ...fresh,
    ...paged.rows.map((m) => {
      const changed = live.get(m.id)
      return changed === undefined ? m : { ...changed, profile_id: m.profile_id }
    }),
  ]
  const shown = { ...paged, rows }
  const set = (key: keyof Filters) => (value: string) => setForm((f) => ({ ...f, [key]: value }))
  return (
    <section>
      <h1>Outbox</h1>
      <p>
        Every message Inlet was asked to send, with what became of it.{' '}
        {connected ? 'Live: new messages and status changes appear as they happen.' : ''}
      </p>
      {from === undefined ? null : (
        <p class="notice" role="status">
          Only the messages of {from.source} {from.source_id}. <a href="#/outbox">All messages</a>
        </p>
      )}
      <SubmitForm class="search" submit="Filter" onSubmit={() => setFilters(form)}>
        <TextField label="User (customer_id)" value={form.user_id} onValue={set('user_id')} />
        <SelectField
          label="Channel"
          value={form.channel}
          onValue={set('channel')}
          options={[
            ['', 'any'],
            ['SMS', 'SMS'],
            ['EMAIL', 'EMAIL'],
            ['PUSH', 'PUSH'],
            ['LIVE_ACTIVITY', 'LIVE_ACTIVITY'],
            ['CARDS', 'CARDS'],
          ]}
        />
        <SelectField
          label="Status"
          value={form.status}
          onValue={set('status')}
          options={[
            ['', 'any'],
            ['recorded', 'recorded'],
            ['suppressed', 'suppressed'],
            ['sent', 'sent'],
            ['failed', 'failed'],
          ]}
        />
        <TextField label="Since (ISO 8601)" value={form.since} onValue={set('since')} />
        <TextField label="Until (ISO 8601)" value={form.until} onValue={set('until')} />
      </SubmitForm>
      {selected === undefined ? null : (
        <MessageView m={selected} onClose={() => setSelected(undefined)} />
      )}
      <PagedTable paged={shown} table={table(setSelected)} more="Older messages" />
    </section>
  )
}

export const outboxPage: Page = { path: 'outbox', title: 'Outbox', component: Outbox }
