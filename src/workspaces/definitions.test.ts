// Definitions on a real in-memory store: a name another definition of the workspace holds is
// refused as input naming `name` (refusingTakenName), for campaigns and file imports alike.
import assert from 'node:assert/strict'
import { it, type TestContext } from 'node:test'
import { createManualClock } from '../core/clock.js'
import { createSequentialIds } from '../core/ids.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import { WorkspaceInputError } from './changes.js'
import { createFileImports, parseFileImportInput } from './file-imports.js'
import { createLiveActivityCampaigns, parseCampaignInput } from './live-activity-campaigns.js'
import { createWorkspaces } from './workspaces.js'

async function setup(t: TestContext) {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  const deps = {
    store,
    clock: createManualClock(Date.parse('2026-11-01T10:00:00Z')),
    ids: createSequentialIds(),
  }
  const { workspace } = await createWorkspaces(deps).create({})
  return { deps, ws: workspace.id }
}

const takenName = (noun: string) => (err: unknown) => {
  assert.ok(err instanceof WorkspaceInputError, String(err))
  assert.equal(err.message, `another ${noun} of the workspace has this name`)
  assert.equal(err.attribute, 'name')
  return true
}

it('refuses a campaign named as another campaign of the workspace, naming `name`', async (t) => {
  const { deps, ws } = await setup(t)
  const campaigns = createLiveActivityCampaigns(deps)
  await campaigns.put(ws, parseCampaignInput({ campaign_id: 'a', name: 'Scores' }))
  await assert.rejects(
    campaigns.put(ws, parseCampaignInput({ campaign_id: 'b', name: 'Scores' })),
    takenName('campaign'),
  )
  // The same campaign keeps its name.
  assert.equal(
    (await campaigns.put(ws, parseCampaignInput({ campaign_id: 'a', name: 'Scores' }))).version,
    2,
  )
})

it('refuses a file import named as another import of the workspace, naming `name`', async (t) => {
  const { deps, ws } = await setup(t)
  const imports = createFileImports(deps)
  const input = (id: string) =>
    parseFileImportInput(
      {
        import_id: id,
        name: 'Nightly',
        source: `file:///data/${id}.csv`,
        type: 'users',
        format: 'csv',
      },
      () => undefined,
    )
  await imports.put(ws, input('a'))
  await assert.rejects(imports.put(ws, input('b')), takenName('import'))
})
