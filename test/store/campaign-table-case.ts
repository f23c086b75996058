/**
 * The contract case every campaign table of the Store shares (store/card-repo.ts CampaignTable:
 * card campaigns, live-activity campaigns), run by each family's contract on both adapters:
 * campaigns kept per workspace, oldest first, replaced in place with their creation time kept,
 * names unique within a workspace, removed once.
 */
import assert from 'node:assert/strict'
import { it, type TestContext } from 'node:test'
import {
  StoreConflictError,
  type CampaignTable,
  type CardCampaignRow,
  type Store,
} from '../../src/store/store.js'

export const CAMPAIGN_T0 = Date.parse('2026-11-01T10:00:00Z')
export const CAMPAIGN_WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'

/**
 * The case, on the table `tableOf` picks; `campaign(id, overrides)` builds a row of CAMPAIGN_WS
 * named `Campaign <id>`, version 1, created and updated at CAMPAIGN_T0.
 */
export function campaignTableCase<R extends CardCampaignRow>(
  fresh: (t: TestContext) => Promise<Store>,
  tableOf: (store: Store) => CampaignTable<R>,
  campaign: (id: string, overrides?: Partial<R>) => R,
): void {
  it('keeps campaigns per workspace, replaced in place, names unique', async (t) => {
    const table = tableOf(await fresh(t))
    await table.putCampaign(campaign('c2', { createdAt: CAMPAIGN_T0 + 1 } as Partial<R>))
    await table.putCampaign(campaign('c1'))
    await table.putCampaign(campaign('c1', { workspaceId: OTHER } as Partial<R>))
    assert.deepEqual(
      (await table.campaigns(CAMPAIGN_WS)).map((c) => c.campaignId),
      ['c1', 'c2'],
    )
    const changed = campaign('c1', {
      name: 'Renamed',
      version: 2,
      createdAt: CAMPAIGN_T0 + 9,
      updatedAt: CAMPAIGN_T0 + 5,
    } as Partial<R>)
    await table.putCampaign(changed)
    assert.deepEqual(await table.campaign(CAMPAIGN_WS, 'c1'), {
      ...changed,
      createdAt: CAMPAIGN_T0,
    })
    assert.equal((await table.campaign(OTHER, 'c1'))?.name, 'Campaign c1')
    await assert.rejects(
      table.putCampaign(campaign('c3', { name: 'Campaign c2' } as Partial<R>)),
      StoreConflictError,
    )
    assert.equal(await table.removeCampaign(CAMPAIGN_WS, 'c2'), true)
    assert.equal(await table.removeCampaign(CAMPAIGN_WS, 'c2'), false)
    assert.equal(await table.campaign(CAMPAIGN_WS, 'c2'), undefined)
  })
}
