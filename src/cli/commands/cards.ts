/**
 * `inlet workspaces cards list|set|remove|send`: a workspace's card campaigns
 * (workspaces/card-campaigns.ts, the same checks as the admin API), in the data directory
 * directly. `set` reads the definition — the admin API's body — from a JSON file (`-`: standard
 * input); a `campaign_id` that names a campaign replaces its definition. `send` puts the
 * campaign's cards in its audience's inboxes now (inbox/card-sends.ts), their `Card Sent` events
 * appended to the ingest log that a running server (or the next one) applies.
 */
import { systemClock } from '../../core/clock.js'
import { createIdGenerator } from '../../core/ids.js'
import { sendCardCampaign } from '../../inbox/card-sends.js'
import { createIngest } from '../../ingest/accept.js'
import { WorkspaceInputError } from '../../workspaces/changes.js'
import {
  createCardCampaigns,
  parseCardCampaignInput,
  type CardCampaignView,
} from '../../workspaces/card-campaigns.js'
import {
  UsageError,
  parseStoreFlags,
  print,
  stringFlags,
  withStore,
  type Command,
} from '../command.js'
import { definitionAction, jsonObjectFile } from './alerts.js'

function showCampaigns(id: string, views: readonly CardCampaignView[]): void {
  const lines = views.map(
    (v) =>
      `${v.campaign_id}  v${v.version}  ${v.name}  ${v.platforms.join(',')}  ${v.audience.type}` +
      `  ${v.category}${v.pinned ? '  pinned' : ''}`,
  )
  process.stdout.write(
    `Workspace ID:  ${id}\n${lines.length === 0 ? 'No card campaigns.' : lines.join('\n')}\n`,
  )
}

export const cardsCommand: Command = async (args, env) => {
  const [action, ...rest] = args
  const values = parseStoreFlags(rest, stringFlags('id', 'file', 'campaign-id'))
  const id = values.id
  const usage = `workspaces cards ${action ?? ''}`
  if (!['list', 'set', 'remove', 'send'].includes(action ?? '')) {
    throw new UsageError(`unknown workspaces cards command: ${action ?? '(none)'}`)
  }
  if (id === undefined) throw new UsageError(`${usage} needs --id`)
  if (action === 'set' && values.file === undefined) {
    throw new UsageError(`${usage} needs --file (a JSON definition, - for stdin)`)
  }
  const campaignId = values['campaign-id']
  if ((action === 'remove' || action === 'send') && campaignId === undefined) {
    throw new UsageError(`${usage} needs --campaign-id`)
  }
  const input = action === 'set' ? jsonObjectFile(values.file ?? '-') : undefined
  return withStore(env, values, async (store) => {
    const ids = createIdGenerator()
    const campaigns = createCardCampaigns({ store, clock: systemClock, ids })
    if (action === 'send') {
      await campaigns.list(id) // the workspace exists
      const ingest = createIngest({ log: store.log, clock: systemClock })
      let sent
      try {
        sent = await sendCardCampaign(
          { store, ingest, clock: systemClock, ids },
          { workspaceId: id, requestId: ids.requestId() },
          campaignId ?? '',
        )
      } catch (err) {
        if (err instanceof WorkspaceInputError) {
          throw new UsageError(`${err.attribute}: ${err.message}`)
        }
        throw err
      }
      await ingest.flushed()
      if (sent === undefined) {
        process.stderr.write('No such campaign.\n')
        return 1
      }
      if (values.json === true) print({ workspace_id: id, sent })
      else {
        process.stdout.write(
          `Sent ${sent.campaign_id} v${sent.version}: ${sent.recorded} recorded, ` +
            `${sent.suppressed} suppressed, ${sent.failed} failed\n`,
        )
      }
      return 0
    }
    await definitionAction(
      action ?? '',
      id,
      values.json === true,
      {
        list: () => campaigns.list(id),
        put: () => campaigns.put(id, parseCardCampaignInput(input ?? {})),
        remove: () => campaigns.remove(id, campaignId ?? ''),
      },
      { plural: 'campaigns', singular: 'campaign', none: 'No such campaign.' },
      showCampaigns,
    )
    return 0
  })
}
