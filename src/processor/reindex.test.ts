// spec §6.2, switching Identity Resolution on: the processor indexes the workspace's existing
// profiles page by page, each page in its own commit that leaves the cursor where it is, and
// moves the cursor only with the last page — so it holds one page of profiles in memory, however
// large the workspace, and a crash part-way indexes again from the first page.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createManualClock } from '../core/clock.js'
import { createSequentialIds } from '../core/ids.js'
import { createMemoryLogger } from '../core/log.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { BatchChanges, NewLogRecord } from '../store/store.js'
import { parseCustomer } from '../families/data/bodies/ingest-bodies.js'
import { createWorkspaces } from '../workspaces/workspaces.js'
import { createProcessor } from './processor.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'

const WS = 'REINDEXWS'
const T0 = Date.UTC(2026, 11, 1)

it('indexes existing profiles one page per commit, the cursor moving with the last', async (t) => {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  const clock = createManualClock(T0)
  const ids = createSequentialIds()
  const workspaces = createWorkspaces({ store, clock, ids })
  await workspaces.create({ id: WS, key: 'reindex-key-1' })
  const record = (body: Record<string, unknown>, identifiers?: readonly string[]): NewLogRecord => {
    const parsed = parseCustomer(body, { checkType: true, ...(identifiers ? { identifiers } : {}) })
    return {
      workspaceId: WS,
      requestId: ids.requestId(),
      index: 0,
      kind: parsed.kind,
      api: 'customer',
      customerId: parsed.customerId,
      receivedAt: clock.now(),
      payload: JSON.stringify(parsed.payload),
    }
  }
  // Five profiles written while Identity Resolution is off: no identity links.
  await store.log.append(
    [1, 2, 3, 4, 5].map((n) =>
      record({
        type: 'customer',
        customer_id: `c${n}`,
        attributes: { email: `u${n}@example.com` },
      }),
    ),
  )
  const commits: BatchChanges[] = []
  const processing = store.processing
  const commit = processing.commit.bind(processing)
  Object.assign(processing, {
    commit: (c: BatchChanges) => {
      commits.push(c)
      return commit(c)
    },
  })
  const processor = createProcessor({
    store,
    clock,
    ids,
    log: createMemoryLogger(),
    batchSize: 100,
    pollMs: 10,
    maxAttempts: 3,
    logRetentionMs: 86_400_000,
    reindexPageSize: 2,
  })
  await processor.drain()
  const before = await processing.cursor()
  commits.length = 0

  await workspaces.update(WS, { settings: { identityResolution: true } }) // logs the reindex
  await processor.drain()
  assert.deepEqual(
    commits.map((c) => [c.fromSeq, c.toSeq, c.identityLinks?.map((l) => l.userId).length]),
    [
      [before, before, 2],
      [before, before, 2],
      [before, before + 1, 1],
    ],
  )
  assert.equal(await processing.cursor(), before + 1)
  const indexed = commits.flatMap((c) => c.identityLinks ?? [])
  assert.equal(new Set(indexed.map((l) => l.userId)).size, 5, 'every profile, once')
  assert.ok(indexed.every((l) => l.links.some((v) => v.name === 'u_em')))

  // The links are in the store: a record naming c5's email alone finds c5.
  await store.log.append([
    record({ type: 'customer', attributes: { moe_email: 'u5@example.com', plan: 'pro' } }, [
      'u_em',
    ]),
  ])
  await processor.drain()
  const [c5] = await store.profiles.findUsers(WS, { customerIds: ['c5'], ids: [] })
  assert.equal(c5?.attributes['plan'], 'pro')
  const users = await store.profiles.usersPage(WS, '', 100)
  assert.equal(users.length, 5, 'no new profile was created')
})
