/**
 * What a workspace's campaign definitions share (live-activity-campaigns.ts, card-campaigns.ts):
 * rows of `{campaign id, unique name, version, definition}` listed, read, created or replaced (a
 * new version, createdAt kept; an id generated unless given; at most `max` per workspace; a name
 * another campaign holds refused, naming `name`) and removed, for a workspace that exists. What a
 * definition holds is each kind's own.
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import {
  StoreConflictError,
  type CampaignTable,
  type CardCampaignRow,
  type Store,
} from '../store/store.js'
import { WorkspaceInputError } from './changes.js'
import { WorkspaceNotFoundError } from './workspaces.js'

/** One stored campaign (LiveActivityCampaignRow and CardCampaignRow are this). */
type CampaignRow = CardCampaignRow

export type CampaignInputOf<D> = Readonly<{ campaignId?: string; name: string; definition: D }>

export type CampaignDefinitions<D, V> = Readonly<{
  list(workspaceId: string): Promise<V[]>
  get(workspaceId: string, campaignId: string): Promise<V | undefined>
  /** Creates the campaign (its id generated unless given) or replaces the one its id names. */
  put(workspaceId: string, input: CampaignInputOf<D>): Promise<V>
  /** Removes the campaign; false when there was none. What it sent stays. */
  remove(workspaceId: string, campaignId: string): Promise<boolean>
}>

export function createCampaignDefinitions<D extends Readonly<Record<string, unknown>>, V>(
  deps: Readonly<{ store: Store; clock: Clock; ids: IdGenerator }>,
  repo: CampaignTable,
  view: (row: CampaignRow) => V,
  limit: Readonly<{ max: number; noun: string }>,
): CampaignDefinitions<D, V> {
  const { store, clock, ids } = deps
  const existing = async (workspaceId: string): Promise<void> => {
    if ((await store.workspaces.get(workspaceId)) === undefined) {
      throw new WorkspaceNotFoundError(workspaceId)
    }
  }
  return {
    list: async (workspaceId) => {
      await existing(workspaceId)
      return (await repo.campaigns(workspaceId)).map(view)
    },
    get: async (workspaceId, campaignId) => {
      await existing(workspaceId)
      const row = await repo.campaign(workspaceId, campaignId)
      return row === undefined ? undefined : view(row)
    },
    put: async (workspaceId, input) => {
      await existing(workspaceId)
      const before =
        input.campaignId === undefined
          ? undefined
          : await repo.campaign(workspaceId, input.campaignId)
      if (before === undefined && (await repo.campaigns(workspaceId)).length >= limit.max) {
        throw new WorkspaceInputError(
          `a workspace has at most ${limit.max} ${limit.noun}`,
          'campaign_id',
        )
      }
      const now = clock.now()
      const row: CampaignRow = {
        workspaceId,
        campaignId: input.campaignId ?? ids.userId(now),
        name: input.name,
        version: (before?.version ?? 0) + 1,
        definition: input.definition,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      }
      try {
        await repo.putCampaign(row)
      } catch (err) {
        if (err instanceof StoreConflictError) {
          throw new WorkspaceInputError('another campaign of the workspace has this name', 'name')
        }
        throw err
      }
      return view(row)
    },
    remove: async (workspaceId, campaignId) => {
      await existing(workspaceId)
      return repo.removeCampaign(workspaceId, campaignId)
    },
  }
}
