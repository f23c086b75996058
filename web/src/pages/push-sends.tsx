// Push sends: each campaign send of the Push API (POST /v2/transaction/sendpush and /v2.1/…),
// newest first — its campaign, audience, platforms, schedule (soon, later, periodic), its next
// occurrence and state, and the messages expanded into the outbox so far, linking to them on the
// Outbox page. Refreshed on demand: a scheduled send's next occurrence moves once it has run.
import { formatTime, wsPath } from '../api'
import { DataTable, Loaded, type Table } from '../components'
import { useApi } from '../hooks'
import type { Page, PageProps } from './page'

type Send = {
  id: string
  campaign_id: string
  campaign_name: string
  request_id: string
  platforms: string[]
  audience: { type: string; segment: string | null; attribute: string | null; values: string[] }
  schedule: {
    type: string
    date: string | null
    time: string | null
    timezone: string | null
    repeat_after_days: number | null
    end_date: string | null
  }
  state: string
  next_at: string | null
  occurrence: number
  messages: number
  created_at: string
  updated_at: string
}
type Listing = { sends: Send[]; more: boolean }

/** Who a send goes to, in a line. */
function audienceText(a: Send['audience']): string {
  if (a.type === 'Custom Segment') return `Custom Segment ${a.segment ?? ''}`
  if (a.type === 'User') {
    const shown = a.values.slice(0, 3).join(', ')
    const more = a.values.length > 3 ? ` and ${a.values.length - 3} more` : ''
    return `User ${a.attribute ?? ''} ${shown}${more}`
  }
  return a.type
}

/** When a send's occurrences fall, in a line. */
function scheduleText(s: Send['schedule']): string {
  const at = `${s.date ?? ''} ${s.time ?? ''} ${s.timezone ?? ''}`.trim()
  if (s.type === 'later') return `later: ${at}`
  if (s.type === 'periodic') {
    const every = s.repeat_after_days === 1 ? 'every day' : `every ${s.repeat_after_days} days`
    return `periodic: ${every} from ${at}, until ${s.end_date ?? '—'}`
  }
  return 'soon'
}

const TABLE: Table<Send> = {
  label: 'Push sends',
  caption: 'Push sends, newest first',
  key: (s) => s.id,
  empty: 'No Push sends: send one with POST /v2/transaction/sendpush.',
  columns: [
    {
      head: 'Campaign',
      rowHeader: true,
      cell: (s) => (
        <>
          {s.campaign_name}
          <br />
          <small>cid {s.campaign_id}</small>
        </>
      ),
    },
    { head: 'Audience', cell: (s) => audienceText(s.audience) },
    { head: 'Platforms', cell: (s) => s.platforms.join(', ') },
    { head: 'Schedule', cell: (s) => scheduleText(s.schedule) },
    { head: 'Next occurrence', cell: (s) => (s.next_at === null ? '—' : formatTime(s.next_at)) },
    { head: 'State', class: (s) => `send-${s.state}`, cell: (s) => s.state },
    {
      head: 'Messages',
      cell: (s) => (
        <a
          href={`#/outbox/push/${encodeURIComponent(s.campaign_id)}`}
          aria-label={`${s.messages} ${s.messages === 1 ? 'message' : 'messages'} of ${s.campaign_name}`}
        >
          {s.messages}
        </a>
      ),
    },
    { head: 'Created', cell: (s) => formatTime(s.created_at) },
  ],
}

function PushSends(props: PageProps) {
  const listing = useApi<Listing>(wsPath(props.ws, 'push-sends'))
  return (
    <section>
      <h1>Push sends</h1>
      <p>
        The Push API's campaign sends, newest first: a <code>soon</code> send is expanded into the
        outbox at once, a <code>later</code> or <code>periodic</code> one by the scheduler at each
        occurrence.{' '}
        <button type="button" onClick={listing.reload}>
          Refresh
        </button>
      </p>
      <Loaded state={listing}>
        {(data) => (
          <>
            <DataTable table={TABLE} rows={data.sends} />
            {data.more ? <p>Only the newest {data.sends.length} sends are shown.</p> : null}
          </>
        )}
      </Loaded>
    </section>
  )
}

export const pushSendsPage: Page = { path: 'push', title: 'Push sends', component: PushSends }
