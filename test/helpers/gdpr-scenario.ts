/**
 * The GDPR acceptance scenario (spec §7.12, issue 6), run against any store: builds a profile
 * with attributes, devices, events, a merge and identity links across identities (customer_id,
 * email, mobile, GAID), plus a second user with the same email in other letter case, a control
 * user and a Bulk element that failed validation; erases by email; then reads EVERY table of the
 * store through `dump` (the adapter's own rows, not the Store interface) and finds nothing of
 * them; a later request for the email is refused while the suppression holds and accepted after
 * the operator lifts it.
 */
import assert from 'node:assert/strict'
import { WORKSPACE_ID, type TestApp } from './app.js'
import { BULK, DEVICE, EVENT, GDPR, MERGE, TRACK, customer } from './data-api.js'
import { EXAMPLES } from './spec-examples.js'

export const ADMIN_TOKEN = 'gdpr-admin-token-1'

/** Every row of every table, as `table: JSON`, for one store. */
export type Dump = () => Promise<string[]>

/** What must not survive the erasure (compared lower-case). */
const TOKENS = [
  'erase-me-7',
  'erase-alt-7',
  'old-erase-7',
  'erase.me@example.com',
  '15550001234',
  'gaid-erase-1',
  'dev-erase-1',
  'push-erase-1',
  'zyxwva',
  'sku-erase-9',
]

function tablesHolding(rows: readonly string[], tokens: readonly string[]): string[] {
  const tables = new Set<string>()
  for (const row of rows) {
    const lower = row.toLowerCase()
    if (tokens.some((t) => lower.includes(t))) tables.add(row.slice(0, row.indexOf(':')))
  }
  return [...tables].sort()
}

async function ok(app: TestApp, url: string, body: unknown): Promise<string> {
  const res = await app.post(url, body)
  assert.equal(res.statusCode, 200, res.body)
  return res.json<{ request_id: string }>().request_id
}

export async function gdprScenario(app: TestApp, dump: Dump): Promise<void> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
  const track = (customerId: string, attributes: Record<string, unknown>) =>
    ok(app, TRACK, customer(customerId, attributes))
  await track('erase-me-7', {
    email: 'Erase.Me@Example.com',
    mobile: '+15550001234',
    first_name: 'Zyxwva',
  })
  await track('erase-alt-7', { email: 'erase.me@example.com', points: 3 })
  await track('old-erase-7', { plan: 'x' })
  await track('keep-me', { email: 'keep@example.com', first_name: 'Kept' })
  await ok(app, EVENT, {
    type: 'event',
    customer_id: 'erase-me-7',
    actions: [
      { action: 'Viewed' },
      { action: 'Added to Cart', attributes: { sku: 'SKU-ERASE-9' } },
    ],
  })
  await ok(app, EVENT, { type: 'event', customer_id: 'keep-me', actions: [{ action: 'Viewed' }] })
  await app.drain()
  const device = (customerId: string, deviceId: string, attributes: Record<string, unknown>) =>
    ok(app, DEVICE, { type: 'device', customer_id: customerId, device_id: deviceId, attributes })
  await device('erase-me-7', 'dev-erase-1', {
    platform: 'ANDROID',
    push_id: 'push-erase-1',
    moe_gaid: 'gaid-erase-1',
  })
  await device('keep-me', 'dev-keep', { platform: 'iOS', push_id: 'push-keep' })
  // A Bulk element that failed validation keeps the email in the log.
  await ok(app, BULK, {
    type: 'transition',
    elements: [{ type: 'customer', attributes: { email: 'Erase.Me@Example.com' } }],
  })
  const mergeRequest = await ok(app, MERGE, {
    merge_data: [{ merged_user: 'old-erase-7', retained_user: 'erase-me-7' }],
  })
  await app.drain()
  // Identity links: with Identity Resolution on, the profile is linked by its email and mobile.
  const ws = await app.store.workspaces.get(WORKSPACE_ID)
  assert.ok(ws)
  await app.store.workspaces.update(WORKSPACE_ID, {
    settings: { ...ws.settings, identityResolution: true },
    updatedAt: app.clock.now(),
  })
  await track('erase-me-7', { email: 'Erase.Me@Example.com', mobile: '+15550001234' })
  await app.drain()

  // Subscription preferences (families/consent) of the person's profiles and the control user's.
  const profiles = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: ['erase-me-7', 'erase-alt-7', 'keep-me'],
    ids: [],
  })
  const erasedIds = profiles.filter((u) => u.customerId !== 'keep-me').map((u) => u.id)
  const keptId = profiles.find((u) => u.customerId === 'keep-me')?.id ?? ''
  assert.equal(
    await app.store.consent.update(
      profiles.map((u) => ({
        workspaceId: WORKSPACE_ID,
        userId: u.id,
        channel: 'email',
        at: app.clock.now(),
        unsubscribedAll: true,
        optInStatus: 'OPTED_OUT',
        categories: { Promotional: false },
      })),
    ),
    3,
  )
  const subscriptionRows = (rows: readonly string[], id: string) =>
    rows.filter((r) => r.startsWith('subscription_') && r.includes(id))

  // The test can fail: before the erasure every kind of table holds the person's data.
  const beforeRows = await dump()
  for (const id of erasedIds) assert.equal(subscriptionRows(beforeRows, id).length, 2, id)
  const before = tablesHolding(beforeRows, TOKENS)
  for (const table of ['devices', 'events', 'identities', 'log', 'merges', 'record_outcomes']) {
    assert.ok(before.includes(table), `${table} should hold the data before: ${before.join(', ')}`)
  }
  assert.ok(before.includes('users'))

  const res = await app.post(GDPR, {
    request_type: 'erasure',
    submitted_time: '2026-11-01T10:00:00Z',
    identities: [{ identity_type: 'email', identity_value: 'erase.me@EXAMPLE.com' }],
    api_version: '1.0',
  })
  assert.equal(res.statusCode, 200, res.body)
  const accepted = res.json<{ status: string; message: string; request_id: string }>()
  assert.deepEqual(accepted, {
    status: 'success',
    message: EXAMPLES.success.message,
    request_id: accepted.request_id,
  })
  assert.match(
    accepted.request_id,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  )
  const status = async () =>
    (
      await app.app.inject({
        method: 'GET',
        url: `/inlet/v1/gdpr/${accepted.request_id}`,
        headers: { authorization: app.headers['authorization'] ?? '' },
      })
    ).json<Record<string, unknown>>()
  assert.equal((await status())['state'], 'pending')
  await app.drain()
  const done = await status()
  assert.equal(done['state'], 'done')
  const erased = done['erased'] as Record<string, number>
  assert.equal(erased['users'], 3) // the two with the email and the one merged into the first
  assert.equal(erased['devices'], 1)
  assert.equal(erased['merges'], 1)
  assert.ok((erased['events'] ?? 0) >= 4, JSON.stringify(erased))
  assert.ok((erased['log_records'] ?? 0) >= 8, JSON.stringify(erased))

  // Nothing of them anywhere: every row of every table of the store.
  const after = await dump()
  assert.deepEqual(tablesHolding(after, TOKENS), [], 'erased data left in the store')
  // Their subscription preferences went with them; the control user's are there.
  for (const id of erasedIds) assert.deepEqual(subscriptionRows(after, id), [], id)
  assert.equal(subscriptionRows(after, keptId).length, 2)
  // …while the control user is untouched.
  const kept = await app.getUser('keep-me')
  assert.equal(kept?.['email'], 'keep@example.com')
  const keepRows = after.filter((r) => r.includes('dev-keep') || r.includes('keep@example.com'))
  assert.ok(keepRows.some((r) => r.startsWith('devices:')))
  for (const id of ['erase-me-7', 'erase-alt-7', 'old-erase-7']) {
    assert.equal(await app.getUser(id), undefined)
  }
  // The merge's request report now shows a redacted record.
  const mergeReport = await app.inspect(mergeRequest)
  assert.deepEqual(mergeReport.records[0]?.payload, {
    erased_by_gdpr_request: accepted.request_id,
  })

  // Suppression: a later request for the email (or the erased ID) is refused, with the reason.
  const later = await track('new-person', { email: 'ERASE.ME@example.com', first_name: 'New' })
  const refused = await app.inspect(later)
  assert.equal(refused.records[0]?.outcome, 'skipped')
  assert.match(
    refused.records[0]?.reason ?? '',
    /^refused: it names an identity \(email\) erased by a GDPR request/,
  )
  assert.equal(await app.getUser('new-person'), undefined)
  const byId = await app.inspect(
    await ok(app, EVENT, { type: 'event', customer_id: 'erase-me-7', actions: [{ action: 'X' }] }),
  )
  assert.equal(byId.records[0]?.outcome, 'skipped')
  assert.match(byId.records[0]?.reason ?? '', /\(ID\)/)
  assert.deepEqual(tablesHolding(await dump(), TOKENS), [], 'a refused record kept its data')

  // The operator sees the list (types and hashes, no values) and lifts the email.
  const list = await app.app.inject({
    method: 'GET',
    url: `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/suppressions`,
    headers: admin,
  })
  assert.equal(list.statusCode, 200, list.body)
  const types = list
    .json<{ suppressions: { identity_type: string }[] }>()
    .suppressions.map((s) => s.identity_type)
  for (const t of ['email', 'ID', 'mobile', 'google_advertising_id'])
    assert.ok(types.includes(t), t)
  assert.deepEqual(tablesHolding([`list:${list.body}`], TOKENS), [])
  const lift = await app.app.inject({
    method: 'POST',
    url: `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/suppressions/lift`,
    headers: admin,
    payload: { identity_type: 'email', identity_value: 'Erase.Me@Example.com' },
  })
  assert.equal(lift.statusCode, 200, lift.body)
  assert.deepEqual(lift.json(), { status: 'success', lifted: 1 })
  const accepted2 = await app.inspect(await track('new-person', { email: 'ERASE.ME@example.com' }))
  assert.equal(accepted2.records[0]?.outcome, 'applied')
  assert.equal((await app.getUser('new-person'))?.['email'], 'ERASE.ME@example.com')
}
