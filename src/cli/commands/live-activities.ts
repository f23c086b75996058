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
import { parseStoreFlags, stringFlags, withStore, type Command } from '../command.js'
import { definitionAction } from './alerts.js'
import { definitionCommandArgs, fieldsOfFlags, wholeFlag } from './definition-flags.js'

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
  const body = fieldsOfFlags(values, [
    ['campaign-id', 'campaign_id'],
    ['name', 'name'],
    ['attribute-type', 'attribute_type'],
    ['ios-auth', 'ios_auth'],
  ])
  const max = wholeFlag(values, 'max-instances')
  if (max !== undefined) body['max_instances'] = max
  return body
}

export const liveActivitiesCommand: Command = async (args, env) => {
  const [action, ...rest] = args
  const values = parseStoreFlags(
    rest,
    stringFlags('id', 'file', 'campaign-id', 'name', 'attribute-type', 'ios-auth', 'max-instances'),
  )
  const { id, input } = definitionCommandArgs(
    'live-activities',
    action,
    values,
    'campaign-id',
    () => bodyOfFlags(values),
  )
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
