// Live Activities: the workspace's broadcast live-activity campaigns (defined through the admin
// API or `inlet workspaces live-activities`), each with its definition and its instances — started by
// POST /v1.0/live-activity/broadcast/start, changed by update and end — with their state (active,
// ended, or dismissed once their dismissal time passed), linking to the campaign's messages on
// the Outbox page.
import { formatTime, wsPath } from '../api'
import { DataTable, DefinitionsPage, type Table } from '../components'
import { useApi } from '../hooks'
import type { Page, PageProps } from './page'

type Instance = {
  instance_id: string
  state: string
  started_at: string
  updated_at: string
  dismissal_at: string | null
  changes: number
}
type Campaign = {
  campaign_id: string
  name: string
  version: number
  definition: Record<string, unknown>
  created_at: string
  updated_at: string
  instances: Instance[]
  more_instances: boolean
}

const instances = (c: Campaign): Table<Instance> => ({
  label: `Instances of ${c.name}`,
  caption: `Instances of ${c.name}, the most recently started first`,
  key: (i) => i.instance_id,
  empty: 'No instances: start one with POST /v1.0/live-activity/broadcast/start.',
  columns: [
    { head: 'Instance', rowHeader: true, cell: (i) => i.instance_id },
    { head: 'State', class: (i) => `instance-${i.state}`, cell: (i) => i.state },
    { head: 'Started', cell: (i) => formatTime(i.started_at) },
    { head: 'Last change', cell: (i) => formatTime(i.updated_at) },
    { head: 'Requests', cell: (i) => i.changes },
    { head: 'Dismissal', cell: (i) => formatTime(i.dismissal_at) },
  ],
})

function CampaignView(props: { c: Campaign }) {
  const { c } = props
  const active = c.instances.filter((i) => i.state === 'active').length
  return (
    <section aria-label={`Campaign ${c.name}`}>
      <h2>{c.name}</h2>
      <p>
        <code>{c.campaign_id}</code> · version {c.version} · {active} active of {c.instances.length}{' '}
        shown · updated {formatTime(c.updated_at)} ·{' '}
        <a href={`#/outbox/live_activity/${encodeURIComponent(c.campaign_id)}`}>
          Messages of {c.name}
        </a>
      </p>
      <DataTable table={instances(c)} rows={c.instances} />
      {c.more_instances ? <p>Only the most recent {c.instances.length} are shown.</p> : null}
      <details>
        <summary>Definition</summary>
        <pre class="definition">{JSON.stringify(c.definition, null, 2)}</pre>
      </details>
    </section>
  )
}

function LiveActivities(props: PageProps) {
  const listing = useApi<{ campaigns: Campaign[] }>(wsPath(props.ws, 'live-activities'))
  return (
    <DefinitionsPage
      title="Live Activities"
      intro="Broadcast live-activity campaigns and their instances."
      listing={listing}
      items={(data) => data.campaigns}
      none="No live-activity campaigns: define one with POST /inlet/v1/admin/workspaces/<id>/live-activities."
      view={(c) => <CampaignView key={c.campaign_id} c={c} />}
    />
  )
}

export const liveActivitiesPage: Page = {
  path: 'live-activities',
  title: 'Live Activities',
  component: LiveActivities,
}
