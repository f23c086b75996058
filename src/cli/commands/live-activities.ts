/**
 * `inlet workspaces live-activities list|set|remove`: a workspace's broadcast live-activity
 * campaigns (workspaces/live-activity-campaigns.ts, the same checks as the admin API), in the data
 * directory directly. `set` reads the definition — the admin API's body — from a JSON file (`-`:
 * standard input) or from flags (`--name`, `--campaign-id`, `--attribute-type`, `--ios-auth`,
 * `--max-instances`); a `campaign_id` that names a campaign replaces its definition.
 */
import { systemClock } from '../../core/clock.js'
import { createIdGenerator } from '../../core/ids.js'
import {
  createLiveActivityCampaigns,
  parseCampaignInput,
  type CampaignView,
} from '../../workspaces/live-activity-campaigns.js'
import { UsageError, parseStoreFlags, stringFlags, withStore, type Command } from '../command.js'
import { definitionAction, jsonObjectFile } from './alerts.js'

function showCampaigns(id: string, views: readonly CampaignView[]): void {
  const lines = views.map(
    (v) =>
      `${v.campaign_id}  v${v.version}  ${v.name}  ${v.ios_auth}  max ${v.max_instances}` +
      (v.attribute_type === null ? '' : `  ${v.attribute_type}`),
  )
  process.stdout.write(
    `Workspace ID:  ${id}\n${lines.length === 0 ? 'No live-activity campaigns.' : lines.join('\n')}\n`,
  )
}

/** The admin API's body from the flags of `set` without `--file`. */
function bodyOfFlags(values: Readonly<Record<string, string | boolean | undefined>>) {
  const body: Record<string, unknown> = {}
  const flag = (name: string): string | undefined => {
    const value = values[name]
    return typeof value === 'string' ? value : undefined
  }
  for (const [name, field] of [
    ['campaign-id', 'campaign_id'],
    ['name', 'name'],
    ['attribute-type', 'attribute_type'],
    ['ios-auth', 'ios_auth'],
  ] as const) {
    const value = flag(name)
    if (value !== undefined) body[field] = value
  }
  const max = flag('max-instances')
  if (max !== undefined) {
    if (!/^\d+$/.test(max)) throw new UsageError('--max-instances needs a whole number')
    body['max_instances'] = Number(max)
  }
  return body
}

export const liveActivitiesCommand: Command = async (args, env) => {
  const [action, ...rest] = args
  const values = parseStoreFlags(
    rest,
    stringFlags('id', 'file', 'campaign-id', 'name', 'attribute-type', 'ios-auth', 'max-instances'),
  )
  const id = values.id
  const usage = `workspaces live-activities ${action ?? ''}`
  if (!['list', 'set', 'remove'].includes(action ?? '')) {
    throw new UsageError(`unknown workspaces live-activities command: ${action ?? '(none)'}`)
  }
  if (id === undefined) throw new UsageError(`${usage} needs --id`)
  if (action === 'set' && values.file === undefined && values.name === undefined) {
    throw new UsageError(`${usage} needs --file (a JSON definition, - for stdin) or --name`)
  }
  if (action === 'remove' && values['campaign-id'] === undefined) {
    throw new UsageError(`${usage} needs --campaign-id`)
  }
  const input =
    action !== 'set'
      ? undefined
      : values.file !== undefined
        ? jsonObjectFile(values.file)
        : bodyOfFlags(values)
  return withStore(env, values, async (store) => {
    const campaigns = createLiveActivityCampaigns({
      store,
      clock: systemClock,
      ids: createIdGenerator(),
    })
    await definitionAction(
      action ?? '',
      id,
      values.json === true,
      {
        list: () => campaigns.list(id),
        put: () => campaigns.put(id, parseCampaignInput(input ?? {})),
        remove: () => campaigns.remove(id, values['campaign-id'] ?? ''),
      },
      { plural: 'campaigns', singular: 'campaign', none: 'No such campaign.' },
      showCampaigns,
    )
    return 0
  })
}
