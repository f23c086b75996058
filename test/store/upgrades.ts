/**
 * What a store opened on data an older Inlet left must still read, for both adapters' upgrade
 * tests (each seeds the old schema its own way): quota counts kept before windows had lengths;
 * a log written before it counted accepted records per minute (log migration 5); events stored
 * while they had a workspace-and-time index (store migration 19 dropped it).
 */
import assert from 'node:assert/strict'
import type { Store } from '../../src/store/store.js'

/** The one count the old schema holds: workspace W's track_user minute at `windowStart`, 7 used. */
export const PRE_WINDOW_COUNT = { workspaceId: 'W', quota: 'track_user', used: 7 } as const

/** The count seeded as PRE_WINDOW_COUNT is read, leased against and pruned as a minute's. */
export async function assertReadAsMinute(store: Store, windowStart: number): Promise<void> {
  const key = {
    workspaceId: PRE_WINDOW_COUNT.workspaceId,
    quota: PRE_WINDOW_COUNT.quota,
    windowStart,
  }
  assert.equal(await store.quotas.used(key), PRE_WINDOW_COUNT.used)
  assert.equal(await store.quotas.used({ ...key, windowMs: 60_000 }), PRE_WINDOW_COUNT.used)
  assert.equal(await store.quotas.used({ ...key, windowMs: 3_600_000 }), 0)
  assert.deepEqual(await store.quotas.lease({ ...key, limit: 10, need: 1, want: 5 }), {
    granted: 3,
    used: 10,
  })
  assert.equal(await store.quotas.prune(windowStart + 60_000), 1, 'pruned as a minute')
}

/**
 * The log rows of the old schema (log migrations 1–4) in its columns: workspace W's two Track
 * User records in one minute, an event the next minute, another workspace's record.
 */
export const PRE_COUNT_LOG = (t0: number) =>
  [
    { seq: 1, workspace: 'W', kind: 'customer', receivedAt: t0 },
    { seq: 2, workspace: 'W', kind: 'customer', receivedAt: t0 + 59_999 },
    { seq: 3, workspace: 'W', kind: 'event', receivedAt: t0 + 60_000 },
    { seq: 4, workspace: 'V', kind: 'customer', receivedAt: t0 },
  ].map((r) => [r.seq, r.workspace, `REQ${r.seq}`, 0, r.kind, null, r.receivedAt, '{}'] as const)

/** The log seeded as PRE_COUNT_LOG(t0) is counted per minute by kind, and counts on from there. */
export async function assertLogCounted(store: Store, t0: number): Promise<void> {
  const minute = Math.floor(t0 / 60_000)
  const counts = async (ws: string) =>
    (await store.browse.acceptedRecords(ws, t0)).map((c) => [c.minute - minute, c.api, c.records])
  assert.deepEqual((await counts('W')).sort(), [
    [0, 'customer', 2],
    [1, 'event', 1],
  ])
  assert.deepEqual(await counts('V'), [[0, 'customer', 1]])
  await store.log.append([
    {
      workspaceId: 'W',
      requestId: 'REQ5',
      index: 0,
      kind: 'event',
      customerId: null,
      receivedAt: t0 + 60_000,
      payload: '{}',
      api: 'event',
    },
  ])
  assert.deepEqual((await counts('W')).sort(), [
    [0, 'customer', 2],
    [1, 'event', 2],
  ])
}

/** Events of the schema before migration 19 (which dropped `events_by_workspace_time`). */
export const PRE_19_EVENTS = {
  workspaceId: 'W',
  userId: 'u1',
  columns: 'seq, workspace_id, user_id, name, event_time, received_at, request_id',
  rows: (t0: number) =>
    [
      [1, 'W', 'u1', 'Opened', t0, t0, 'R1'],
      [2, 'W', 'u1', 'Paid', t0 + 3_600_000, t0, 'R2'],
    ] as const,
}

/** The events seeded as PRE_19_EVENTS are read back, newest first. */
export async function assertEventsKept(store: Store): Promise<void> {
  const { workspaceId, userId } = PRE_19_EVENTS
  const names = async () =>
    (await store.profiles.eventsOfUser(workspaceId, userId, 10)).map((e) => e.name)
  assert.deepEqual(await names(), ['Paid', 'Opened'])
}

/**
 * Users an older Inlet left with the Data API's subscription attributes stored as attributes
 * (before store migration 22), in workspace W with categories `Promo` and `News`: their
 * workspace, id, attributes JSON.
 */
export const PRE_LINK_USERS = [
  [
    'W',
    'u1',
    JSON.stringify({
      plan: 'gold',
      moe_unsubscribe: true,
      moe_email_optin_status: 'opted_out',
      moe_em_unsub_categories: ['Promo', 'Unknown'],
      zeta: 1,
    }),
  ],
  ['W', 'u2', JSON.stringify({ moe_unsubscribe: 'false', moe_em_unsub_categories: 'News' })],
  ['W', 'u3', JSON.stringify({ plan: 'moe_unsubscribe' })],
] as const
export const PRE_LINK_CATEGORIES = ['Promo', 'News'] as const

/** What migration 22 made of PRE_LINK_USERS (seeded with updated_at `t0`). */
export async function assertLinkedMigrated(store: Store, t0: number): Promise<void> {
  const users = await store.profiles.findUsers('W', { customerIds: [], ids: ['u1', 'u2', 'u3'] })
  const byId = new Map(users.map((u) => [u.id, u.attributes]))
  // The linked keys left the attributes; the others kept, in their order.
  assert.deepEqual(Object.entries(byId.get('u1') ?? {}), [
    ['plan', 'gold'],
    ['zeta', 1],
  ])
  assert.deepEqual(byId.get('u2'), {})
  assert.deepEqual(byId.get('u3'), { plan: 'moe_unsubscribe' })
  const rows = await store.consent.subscriptionsOf('W', ['u1', 'u2', 'u3'])
  const base = { workspaceId: 'W', channel: 'email', updatedAt: t0 }
  assert.deepEqual(
    [...rows.statuses].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
    [
      { ...base, userId: 'u1', unsubscribedAll: true, optInStatus: 'OPTED_OUT' },
      { ...base, userId: 'u2', unsubscribedAll: false, optInStatus: null },
    ],
  )
  assert.deepEqual(
    [...rows.preferences].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
    [
      { ...base, userId: 'u1', category: 'Promo', subscribed: false },
      { ...base, userId: 'u2', category: 'News', subscribed: false },
    ],
  )
}

/**
 * Outbox messages of the schema before migration 25 (which added due times and revs): two of
 * workspace W, in its 20 columns (seq first), recorded at `t0` and `t0 + 1`.
 */
export const PRE_25_OUTBOX = (t0: number) =>
  [1, 2].map(
    (seq) =>
      [
        seq,
        `m${seq}`,
        'W',
        'SMS',
        'inform',
        'a1',
        'john',
        '+15550001',
        null,
        null,
        `Hi ${seq}`,
        '{}',
        'a1/SMS',
        1,
        `T${seq}`,
        'REQ',
        'recorded',
        null,
        0,
        t0 + seq - 1,
      ] as const,
  )

/**
 * The messages seeded as PRE_25_OUTBOX(t0) read with their seq as rev and their creation as last
 * change, due for no delivery (they were recorded in record mode); the tail follows them and a
 * new message comes after them.
 */
export async function assertOutboxUpgraded(store: Store, t0: number): Promise<void> {
  const listed = await store.outbox.list('W', {}, 10)
  assert.deepEqual(
    listed.map((m) => [m.id, m.seq, m.rev, m.updatedAt, m.dueAt, m.body]),
    [
      ['m2', 2, 2, t0 + 1, null, 'Hi 2'],
      ['m1', 1, 1, t0, null, 'Hi 1'],
    ],
  )
  assert.equal(await store.outbox.lastRev('W'), 2)
  assert.deepEqual(await store.outbox.claimDue(t0 + 60_000, 1_000, 10), [])
  const recorded = await store.outbox.record('W', [
    { ...listed[0]!, id: 'm3', dueAt: t0 + 5, createdAt: t0 + 5 },
  ])
  assert.deepEqual(
    recorded.duplicate ? [] : recorded.rows.map((m) => [m.seq, m.rev]),
    [[3, 3]],
    'the seq and the rev go on from the old ones',
  )
  assert.deepEqual(
    (await store.outbox.after('W', 2, 10)).map((m) => m.id),
    ['m3'],
  )
}
