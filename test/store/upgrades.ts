/**
 * What a store opened on data an older Inlet left must still read, for both adapters' upgrade
 * tests (each seeds the old schema its own way): quota counts kept before windows had lengths;
 * a log written before it counted accepted records per minute (log migration 5); events stored
 * while they had a workspace-and-time index (store migration 19 dropped it), and while they named
 * their user and name as text (store migration 37 numbered them).
 */
import assert from 'node:assert/strict'
import { prepareSegment } from '../../src/segments/resolve.js'
import type { Store } from '../../src/store/store.js'
import { batchChanges } from '../helpers/batches.js'
import { filterGroup } from '../helpers/segments.js'
import { anEvent } from './contract.js'

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

/**
 * Events of the schema before store migration 37 (which numbered their users and names), in
 * workspaces W and V with the same user id, and one of a user with no profile: seq, workspace,
 * user, name, device, platform, app version, event time (hours after t0), attributes JSON.
 */
export const PRE_37_EVENTS = {
  columns: `seq, workspace_id, user_id, name, device_id, platform, app_version, event_time,
    user_time, received_at, request_id, attributes`,
  users: [
    ['W', 'u1'],
    ['W', 'u2'],
    ['V', 'u1'],
  ] as const,
  rows: (t0: number) =>
    (
      [
        [1, 'W', 'u1', 'Opened', 'd1', 'ANDROID', '1.0', 0, '{"screen":"home"}'],
        [2, 'W', 'u1', 'Purchased', 'd1', 'ANDROID', '1.0', 1, '{"amount":12.5}'],
        [3, 'W', 'u2', 'Opened', null, null, null, 2, null],
        [4, 'V', 'u1', 'Opened', 'd9', 'iOS', '2.0', 3, '{"screen":"cart"}'],
        [5, 'W', 'u9', 'Opened', null, null, null, 4, null],
        [6, 'W', 'u1', 'Opened', 'd1', 'ANDROID', '1.1', 5, null],
      ] as const
    ).map(
      ([seq, ws, user, name, device, platform, version, hours, attributes]) =>
        [
          seq,
          ws,
          user,
          name,
          device,
          platform,
          version,
          t0 + hours * 3_600_000,
          null,
          t0,
          `R${seq}`,
          attributes,
        ] as const,
    ),
}

/**
 * The events seeded as PRE_37_EVENTS(t0) read back whole, by user and workspace, by page and
 * by segment; events written after them get numbers of their own.
 */
export async function assertNumberedEvents(store: Store, t0: number): Promise<void> {
  const hours = (h: number) => t0 + h * 3_600_000
  const ofUser = async (ws: string, user: string) =>
    (await store.profiles.eventsOfUser(ws, user, 10)).map((e) => [e.seq, e.name])
  assert.deepEqual(await ofUser('W', 'u1'), [
    [6, 'Opened'],
    [2, 'Purchased'],
    [1, 'Opened'],
  ])
  assert.deepEqual(await ofUser('V', 'u1'), [[4, 'Opened']])
  assert.deepEqual(await ofUser('W', 'u9'), [[5, 'Opened']], 'an event whose user has no profile')
  const [purchase] = await store.profiles.eventsOfUser('W', 'u1', 10).then((e) => e.slice(1))
  assert.deepEqual(purchase, {
    seq: 2,
    workspaceId: 'W',
    userId: 'u1',
    name: 'Purchased',
    deviceId: 'd1',
    platform: 'ANDROID',
    appVersion: '1.0',
    eventTime: hours(1),
    userTime: null,
    receivedAt: t0,
    requestId: 'R2',
    attributes: { amount: 12.5 },
  })
  const page = await store.profiles.eventsPage('W', 0, 0, 10)
  assert.deepEqual(
    page.map((e) => [e.seq, e.userId]),
    [
      [1, 'u1'],
      [2, 'u1'],
      [3, 'u2'],
      [5, 'u9'],
      [6, 'u1'],
    ],
  )
  assert.deepEqual(
    (await store.browse.userEvents('W', 'u1', undefined, 2)).map((e) => e.seq),
    [6, 2],
  )
  const r = await prepareSegment(
    filterGroup({
      filter_type: 'actions',
      action_name: 'Opened',
      executed: true,
      execution: { type: 'atleast', count: 1 },
      primary_time_range: {
        type: 'inTheLast',
        value_type: 'relative_past',
        value: '30',
        period_unit: 'days',
      },
    }),
    () => Promise.resolve(undefined),
  )
  assert.ok(r.ok, JSON.stringify(r))
  const members = await store.segments.members('W', r.value.query, { now: hours(24), limit: 10 })
  assert.deepEqual(
    members.members.map((m) => m.id),
    ['u1', 'u2'],
    'users of W with a profile who opened, not V’s',
  )

  // New events: a new user and a new name of W, and V's user again.
  await store.processing.commit(
    batchChanges({
      events: [
        anEvent({ seq: 7, workspaceId: 'W', userId: 'u3', name: 'Opened', eventTime: hours(6) }),
        anEvent({ seq: 8, workspaceId: 'W', userId: 'u1', name: 'Shared', eventTime: hours(7) }),
        anEvent({ seq: 9, workspaceId: 'V', userId: 'u1', name: 'Shared', eventTime: hours(8) }),
      ],
    }),
  )
  assert.deepEqual(await ofUser('W', 'u3'), [[7, 'Opened']])
  assert.deepEqual((await ofUser('W', 'u1'))[0], [8, 'Shared'])
  assert.deepEqual(await ofUser('V', 'u1'), [
    [9, 'Shared'],
    [4, 'Opened'],
  ])
}
