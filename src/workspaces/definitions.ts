/**
 * What a workspace's definitions share: every kind (campaigns, file imports) is listed, read and
 * removed only for a workspace that exists (`definitionReads`); campaigns (live-activity-campaigns.ts,
 * card-campaigns.ts) are moreover rows of `{campaign id, unique name, version, definition}` created
 * or replaced here (a new version, createdAt kept; an id generated unless given; at most `max` per
 * workspace; a name another campaign holds refused, naming `name`). File imports (file-imports.ts)
 * add their own `put`, as their rows also carry a schedule. What a definition holds is each kind's own.
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

/** The rows of one kind of definition, as its store repository reads and removes them. */
export type DefinitionRows<Row> = Readonly<{
  all(workspaceId: string): Promise<Row[]>
  one(workspaceId: string, id: string): Promise<Row | undefined>
  remove(workspaceId: string, id: string): Promise<boolean>
}>

/** What a kind of definition's operations are built on. */
export type DefinitionDeps = Readonly<{ store: Store; clock: Clock; ids: IdGenerator }>

export type DefinitionReads<V> = Readonly<{
  /** Throws WorkspaceNotFoundError unless the workspace exists. */
  existing(workspaceId: string): Promise<void>
  list(workspaceId: string): Promise<V[]>
  get(workspaceId: string, id: string): Promise<V | undefined>
  remove(workspaceId: string, id: string): Promise<boolean>
}>

/** A campaign row as the admin API shows it: its id, name and version, its definition, its times. */
export function campaignRowView<D extends object>(
  row: Readonly<{
    campaignId: string
    name: string
    version: number
    createdAt: number
    updatedAt: number
  }>,
  definition: D,
): {
  campaign_id: string
  name: string
  version: number
  created_at: string
  updated_at: string
} & D {
  return {
    campaign_id: row.campaignId,
    name: row.name,
    version: row.version,
    ...definition,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  }
}

/** List, read and remove of a kind of definition, each for a workspace that exists. */
export function definitionReads<Row, V>(
  store: Store,
  rows: DefinitionRows<Row>,
  view: (row: Row) => V,
): DefinitionReads<V> {
  const existing = async (workspaceId: string): Promise<void> => {
    if ((await store.workspaces.get(workspaceId)) === undefined) {
      throw new WorkspaceNotFoundError(workspaceId)
    }
  }
  return {
    existing,
    list: async (workspaceId) => {
      await existing(workspaceId)
      return (await rows.all(workspaceId)).map(view)
    },
    get: async (workspaceId, id) => {
      await existing(workspaceId)
      const row = await rows.one(workspaceId, id)
      return row === undefined ? undefined : view(row)
    },
    remove: async (workspaceId, id) => {
      await existing(workspaceId)
      return rows.remove(workspaceId, id)
    },
  }
}

export function createCampaignDefinitions<D extends Readonly<Record<string, unknown>>, V>(
  deps: DefinitionDeps,
  repo: CampaignTable,
  view: (row: CampaignRow) => V,
  limit: Readonly<{ max: number; noun: string }>,
): CampaignDefinitions<D, V> {
  const { store, clock, ids } = deps
  const { existing, list, get, remove } = definitionReads(
    store,
    {
      all: (ws) => repo.campaigns(ws),
      one: (ws, id) => repo.campaign(ws, id),
      remove: (ws, id) => repo.removeCampaign(ws, id),
    },
    view,
  )
  return {
    list,
    get,
    remove,
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
  }
}
