// One user's profile: identities, standard and custom attributes with their types, platforms,
// devices with push state, subscription preferences, the Cards inbox, merges (with undo), and the
// event timeline, newest first.
import { useState } from 'preact/hooks'
import { api, formatTime, query, wsPath } from '../api'
import {
  AttributeTable,
  DataTable,
  ErrorLine,
  Loaded,
  MoreButton,
  errorText,
  type Table,
  type TypedAttribute,
} from '../components'
import { useApi, usePages } from '../hooks'

type Profile = {
  user: { id: string; customer_id: string | null; created_at: string; updated_at: string }
  attributes: TypedAttribute[]
  /** The later of its last_seen attribute and its newest event's time. */
  last_seen: string | null
  platforms: string[]
  devices: {
    device_id: string
    platform: string | null
    push: string
    updated_at: string
  }[]
  identities: { type: string; value: string }[]
  identity_resolution: boolean
  identity_links: { name: string; value: string }[]
  merges: {
    merge_id: number
    retained_user_id: string
    retained_customer_id: string | null
    merged_user_id: string
    merged_customer_id: string | null
    at: string
    undone_at: string | null
  }[]
}
type EventView = {
  seq: number
  name: string
  event_time: string
  received_at: string
  platform: string | null
  attributes: TypedAttribute[]
}
type EventsPage = { events: EventView[]; next_page: string | null }

type Subscriptions = {
  channels: Partial<
    Record<
      string,
      {
        unsubscribe_all: boolean
        opt_in_status: string | null
        categories: Record<string, boolean>
        updated_at: string
      }
    >
  >
  categories: {
    name: string
    description: string
    active: boolean
    chosen: boolean | null
    subscribed: boolean
  }[]
}
type Category = Subscriptions['categories'][number]

const CATEGORIES: Table<Category> = {
  label: 'Subscription categories',
  key: (c) => c.name,
  empty: 'The workspace defines no subscription categories.',
  columns: [
    { head: 'Category', cell: (c) => (c.active ? c.name : `${c.name} (inactive)`) },
    {
      head: 'Chosen',
      cell: (c) => (c.chosen === null ? 'not set' : c.chosen ? 'subscribed' : 'unsubscribed'),
    },
    { head: 'Gets messages', cell: (c) => (c.subscribed ? 'yes' : 'no') },
  ],
}

type Device = Profile['devices'][number]

type InboxCard = {
  card_id: string
  platform: string
  category: string
  title: string
  message: string
  state: string
  clicked: boolean
  seen_count: number
  first_seen: string | null
  updated_at: string
}

const CARDS: Table<InboxCard> = {
  label: 'Cards',
  key: (c) => c.card_id,
  empty: 'No cards: no card campaign has been sent to this user.',
  columns: [
    { head: 'Card', cell: (c) => c.card_id },
    { head: 'Platform', cell: (c) => c.platform },
    { head: 'Category', cell: (c) => c.category },
    { head: 'Title', cell: (c) => c.title },
    { head: 'Message', cell: (c) => c.message },
    { head: 'State', cell: (c) => c.state },
    { head: 'Clicked', cell: (c) => (c.clicked ? 'yes' : 'no') },
    { head: 'Seen', cell: (c) => String(c.seen_count) },
    { head: 'First seen', cell: (c) => formatTime(c.first_seen) },
    { head: 'Updated', cell: (c) => formatTime(c.updated_at) },
  ],
}

const DEVICES: Table<Device> = {
  label: 'Devices',
  key: (d) => d.device_id,
  empty: 'No devices.',
  columns: [
    { head: 'Device', cell: (d) => d.device_id },
    { head: 'Platform', cell: (d) => d.platform ?? '—' },
    { head: 'Push', cell: (d) => d.push },
    { head: 'Updated', cell: (d) => formatTime(d.updated_at) },
  ],
}

/** The identifier values Identity Resolution stored for the user (spec §6.2). */
function identityLinks(data: Profile): string {
  if (data.identity_links.length > 0)
    return data.identity_links.map((l) => `${l.name}: ${l.value}`).join(' · ')
  return data.identity_resolution ? 'none' : 'none (Identity Resolution is off)'
}

export function Profile(props: { ws: string; userId: string }) {
  const profile = useApi<Profile>(wsPath(props.ws, 'users', props.userId))
  const [note, setNote] = useState<string | undefined>(undefined)
  const [undoError, setUndoError] = useState<string | undefined>(undefined)
  const undo = async (mergeId: number) => {
    setUndoError(undefined)
    try {
      await api('POST', wsPath(props.ws, 'merges', String(mergeId), 'undo'))
      setNote(`The undo of merge ${mergeId} was accepted; it applies in a moment.`)
      profile.reload()
    } catch (e) {
      setUndoError(errorText(e))
    }
  }
  return (
    <Loaded state={profile}>
      {(data) => (
        <section>
          <p>
            <a href="#/users">← Users</a>
          </p>
          <h1>User {data.user.customer_id ?? data.user.id}</h1>
          <dl class="facts">
            <dt>Internal id</dt>
            <dd>{data.user.id}</dd>
            <dt>Created</dt>
            <dd>{formatTime(data.user.created_at)}</dd>
            <dt>Last updated</dt>
            <dd>{formatTime(data.user.updated_at)}</dd>
            <dt>Last seen</dt>
            <dd>{formatTime(data.last_seen)}</dd>
            <dt>Platforms</dt>
            <dd>{data.platforms.length === 0 ? '—' : data.platforms.join(', ')}</dd>
            <dt>Identities</dt>
            <dd>{data.identities.map((i) => `${i.type}: ${i.value}`).join(' · ')}</dd>
            <dt>Identity links</dt>
            <dd>{identityLinks(data)}</dd>
          </dl>
          <h2>Attributes</h2>
          <AttributeTable label="Attributes" attributes={data.attributes} />
          <h2>Devices</h2>
          <DataTable table={DEVICES} rows={data.devices} />
          <SubscriptionPreferences ws={props.ws} userId={props.userId} />
          <CardsInbox ws={props.ws} userId={props.userId} />
          <h2>Merges</h2>
          {note === undefined ? null : <p role="status">{note}</p>}
          <ErrorLine error={undoError} />
          {data.merges.length === 0 ? (
            <p>No merges.</p>
          ) : (
            <ul>
              {data.merges.map((m) => (
                <li key={m.merge_id}>
                  Merge {m.merge_id}: {m.merged_customer_id ?? m.merged_user_id} into{' '}
                  {m.retained_customer_id ?? m.retained_user_id}, {formatTime(m.at)}
                  {m.undone_at === null ? (
                    <button type="button" onClick={() => void undo(m.merge_id)}>
                      Undo merge {m.merge_id}
                    </button>
                  ) : (
                    ` (undone ${formatTime(m.undone_at)})`
                  )}
                </li>
              ))}
            </ul>
          )}
          <Timeline ws={props.ws} userId={props.userId} />
        </section>
      )}
    </Loaded>
  )
}

/** The user's email subscription state (Subscription categories, Email opt-in, resubscribe). */
function SubscriptionPreferences(props: { ws: string; userId: string }) {
  const subscriptions = useApi<Subscriptions>(
    wsPath(props.ws, 'users', props.userId, 'subscriptions'),
  )
  return (
    <Loaded state={subscriptions}>
      {(data) => {
        const email = data.channels['email']
        return (
          <>
            <h2>Subscriptions</h2>
            <dl class="facts">
              <dt>Email opt-in</dt>
              <dd>{email?.opt_in_status ?? 'not set'}</dd>
              <dt>Unsubscribed from all</dt>
              <dd>
                {email === undefined ? 'no (never set)' : email.unsubscribe_all ? 'yes' : 'no'}
              </dd>
              <dt>Preferences updated</dt>
              <dd>{email === undefined ? '—' : formatTime(email.updated_at)}</dd>
            </dl>
            <DataTable table={CATEGORIES} rows={data.categories} />
          </>
        )
      }}
    </Loaded>
  )
}

/** The user's Cards inbox: the cards card campaigns sent, with their state and activity. */
function CardsInbox(props: { ws: string; userId: string }) {
  const inbox = useApi<{ cards: InboxCard[] }>(wsPath(props.ws, 'users', props.userId, 'cards'))
  return (
    <Loaded state={inbox}>
      {(data) => (
        <>
          <h2>Cards</h2>
          <DataTable table={CARDS} rows={data.cards} />
        </>
      )}
    </Loaded>
  )
}

function Timeline(props: { ws: string; userId: string }) {
  const paged = usePages(
    async (page: string | null) => {
      const path = wsPath(props.ws, 'users', props.userId, 'events') + query({ page })
      const result = await api<EventsPage>('GET', path)
      return { rows: result.events, next: result.next_page }
    },
    [props.userId],
  )
  const events = paged.rows
  return (
    <>
      <h2>Events</h2>
      <ErrorLine error={paged.error} />
      {events.length === 0 ? <p>No events.</p> : null}
      <ol class="timeline">
        {events.map((e) => (
          <li key={e.seq}>
            <h3>{e.name}</h3>
            <p class="meta">
              {formatTime(e.event_time)} · {e.platform ?? 'no platform'} · received{' '}
              {formatTime(e.received_at)}
            </p>
            <AttributeTable label={`Attributes of ${e.name}`} attributes={e.attributes} />
          </li>
        ))}
      </ol>
      <MoreButton next={paged.next} onMore={paged.load} label="Older events" />
    </>
  )
}
