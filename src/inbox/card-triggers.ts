/**
 * The event-triggered card campaigns the processor checks each applied event against (issue 21):
 * per workspace, an in-memory map from trigger event name to the campaigns it sends, read from
 * the store again only when the workspace's campaign revision moved (store/card-repo.ts
 * campaignRevs: one small read per batch for all of the batch's workspaces). An event whose name
 * no campaign triggers costs one map lookup. Sending is card-sends.ts triggeredSends.
 */
import type { CardCampaignRow, Store } from '../store/store.js'
import { cardDefinitionOf } from '../workspaces/card-campaigns.js'

/** A workspace's event-triggered campaigns by trigger event name. */
export type TriggerMap = ReadonlyMap<string, readonly CardCampaignRow[]>

export type CardTriggers = Readonly<{
  /** The trigger maps of those of these workspaces that have event-triggered campaigns now. */
  of(workspaceIds: readonly string[]): Promise<ReadonlyMap<string, TriggerMap>>
}>

/** The trigger map of a workspace's campaigns (those `Event Triggered` with a trigger). */
export function triggerMap(campaigns: readonly CardCampaignRow[]): TriggerMap {
  const map = new Map<string, CardCampaignRow[]>()
  for (const c of campaigns) {
    const d = cardDefinitionOf(c)
    const event = d.trigger?.event
    if (d.delivery_type !== 'Event Triggered' || event === undefined) continue
    map.set(event, [...(map.get(event) ?? []), c])
  }
  return map
}

export function createCardTriggers(store: Store): CardTriggers {
  const cache = new Map<string, { rev: number; map: TriggerMap }>()
  return {
    of: async (workspaceIds) => {
      const ids = [...new Set(workspaceIds)]
      const revs = await store.cards.campaignRevs(ids)
      const found = new Map<string, TriggerMap>()
      for (const ws of ids) {
        const rev = revs.get(ws)
        if (rev === undefined) {
          // No card campaign was ever written in the workspace.
          cache.delete(ws)
          continue
        }
        let entry = cache.get(ws)
        if (entry?.rev !== rev) {
          entry = { rev, map: triggerMap(await store.cards.campaigns(ws)) }
          cache.set(ws, entry)
        }
        if (entry.map.size > 0) found.set(ws, entry.map)
      }
      return found
    },
  }
}
