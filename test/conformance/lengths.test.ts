/**
 * Conformance: the length bounds of ids, identifier values and event names
 * (src/families/data/bodies/limits.ts, docs/compatibility.md "Lengths") at the boundary, on every
 * endpoint that takes one: exactly 512 characters is accepted and reaches the store, 513 is the
 * 400 `field_too_long` naming the field. Characters are code
 * points: 512 emoji (1,024 UTF-16 units, 2,048 bytes) are accepted, 513 refused.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID as W, createTestApp, type TestApp } from '../helpers/app.js'

const LIMIT = 512
/** `n` characters: ASCII, or an emoji (two UTF-16 units, four UTF-8 bytes each). */
const ascii = (n: number, tag = 'a'): string => tag.repeat(n)
const emoji = (n: number): string => '😀'.repeat(n)

const URL = {
  track: `/v1/customer/${W}`,
  event: `/v1/event/${W}`,
  device: `/v1/device/${W}`,
  bulk: `/v1/transition/${W}`,
  exportUsers: `/v1/customers/export?app_id=${W}`,
  merge: `/v1/customer/merge?app_id=${W}`,
  delete: `/v1/customer/delete?app_id=${W}`,
  optOut: `/v1/devices/manage?app_id=${W}`,
  gdpr: `/v1/opengdpr_requests/${W}`,
}

type Res = Awaited<ReturnType<TestApp['post']>>

/** The 400 of field_too_long for `key`, exactly. */
function assertTooLong(res: Res, key: string): void {
  assert.equal(res.statusCode, 400, res.body)
  const body = res.json<{ error: { request_id: string } }>()
  assert.deepEqual(body, {
    status: 'fail',
    error: {
      attribute: key,
      message: `${key} can not exceed 512 characters`,
      type: 'LimitBreached',
      request_id: body.error.request_id,
    },
  })
}

function requestIdOf(res: Res): string {
  assert.equal(res.statusCode, 200, res.body)
  return res.json<{ request_id: string }>().request_id
}

/** Every record of an accepted request was applied. */
async function assertApplied(app: TestApp, res: Res): Promise<void> {
  const report = await app.inspect(requestIdOf(res))
  assert.ok(report.records.length > 0)
  for (const r of report.records) assert.equal(r.outcome, 'applied', JSON.stringify(r))
}

async function userRow(app: TestApp, customerId: string) {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(W, { customerIds: [customerId], ids: [] })
  assert.ok(user !== undefined, `a user with the ${customerId.length}-unit id`)
  return user
}

describe('lengths of ids and event names', () => {
  it('§6.1 customer_id: 512 characters are accepted and stored, 513 refused, on all four ingest endpoints', async (t) => {
    const app = await createTestApp(t)
    for (const id of [ascii(LIMIT), emoji(LIMIT)]) {
      await assertApplied(app, await app.post(URL.track, { type: 'customer', customer_id: id }))
      assert.equal((await app.getUser(id))?.['customer_id'], id)
      const event = { type: 'event', customer_id: id, actions: [{ action: 'Viewed' }] }
      await assertApplied(app, await app.post(URL.event, event))
      const device = {
        type: 'device',
        customer_id: id,
        device_id: `d-${id.length}`,
        attributes: { platform: 'web', push_id: 'p' },
      }
      await assertApplied(app, await app.post(URL.device, device))
      const bulk = { type: 'transition', elements: [{ type: 'customer', customer_id: id }] }
      await assertApplied(app, await app.post(URL.bulk, bulk))
      const user = await userRow(app, id)
      assert.deepEqual(
        (await app.store.profiles.eventsOfUser(W, user.id, 10)).map((e) => e.name),
        ['Viewed'],
      )
      assert.equal((await app.store.profiles.devicesOfUser(W, user.id)).length, 1)
    }
    const logged = await app.store.log.lastSeq()
    for (const id of [ascii(LIMIT + 1), emoji(LIMIT + 1)]) {
      assertTooLong(await app.post(URL.track, { type: 'customer', customer_id: id }), 'customer_id')
      const event = { type: 'event', customer_id: id, actions: [{ action: 'Viewed' }] }
      assertTooLong(await app.post(URL.event, event), 'customer_id')
      const device = {
        type: 'device',
        customer_id: id,
        device_id: 'd',
        attributes: { platform: 'web', push_id: 'p' },
      }
      assertTooLong(await app.post(URL.device, device), 'customer_id')
    }
    assert.equal(await app.store.log.lastSeq(), logged, 'nothing of a refused request was logged')
  })

  it('§6.2 identifier values: with Identity Resolution, 512 characters are accepted and applied, 513 refused', async (t) => {
    const app = await createTestApp(t)
    await app.store.workspaces.update(W, {
      settings: { identityResolution: true },
      updatedAt: app.clock.now(),
    })
    const email = `${emoji(LIMIT - 12)}@example.com`
    await assertApplied(app, await app.post(URL.track, { type: 'customer', attributes: { email } }))
    const byIdentifier = { type: 'event', user_identifiers: { email }, actions: [{ action: 'A' }] }
    await assertApplied(app, await app.post(URL.event, byIdentifier))
    const tooLong = `${ascii(LIMIT - 11)}@example.com`
    assertTooLong(
      await app.post(URL.track, { type: 'customer', attributes: { email: tooLong } }),
      'email',
    )
    const event = {
      type: 'event',
      user_identifiers: { mobile: ascii(LIMIT + 1, '5') },
      actions: [{ action: 'A' }],
    }
    assertTooLong(await app.post(URL.event, event), 'mobile')
  })

  it('§7.2 / §7.4 device_id: 512 characters are accepted and stored, 513 refused', async (t) => {
    const app = await createTestApp(t)
    await app.post(URL.track, { type: 'customer', customer_id: 'owner' })
    await app.drain()
    const device = (id: string) => ({
      type: 'device',
      customer_id: 'owner',
      device_id: id,
      attributes: { platform: 'ANDROID', push_id: `p-${id.length}` },
    })
    const event = (id: string) => ({
      type: 'event',
      customer_id: 'owner',
      device_id: id,
      actions: [{ action: 'Opened' }],
    })
    for (const id of [ascii(LIMIT, 'd'), emoji(LIMIT)]) {
      await assertApplied(app, await app.post(URL.device, device(id)))
      await assertApplied(app, await app.post(URL.event, event(id)))
    }
    const user = await userRow(app, 'owner')
    assert.deepEqual(
      (await app.store.profiles.devicesOfUser(W, user.id)).map((d) => d.deviceId).sort(),
      [ascii(LIMIT, 'd'), emoji(LIMIT)].sort(),
    )
    assert.deepEqual(
      (await app.store.profiles.eventsOfUser(W, user.id, 10)).map((e) => e.deviceId).sort(),
      [ascii(LIMIT, 'd'), emoji(LIMIT)].sort(),
    )
    for (const id of [ascii(LIMIT + 1, 'd'), emoji(LIMIT + 1)]) {
      assertTooLong(await app.post(URL.device, device(id)), 'device_id')
      assertTooLong(await app.post(URL.event, event(id)), 'device_id')
    }
  })

  it('§7.2 action: 512 characters are accepted (stored truncated to 200, §8.3), 513 refused', async (t) => {
    const app = await createTestApp(t)
    const event = (name: string) => ({
      type: 'event',
      customer_id: 'u1',
      actions: [{ action: 'first' }, { action: name }],
    })
    await assertApplied(app, await app.post(URL.event, event(ascii(LIMIT, 'n'))))
    await assertApplied(app, await app.post(URL.event, event(emoji(LIMIT))))
    const user = await userRow(app, 'u1')
    const names = (await app.store.profiles.eventsOfUser(W, user.id, 10)).map((e) => e.name)
    assert.ok(names.includes(ascii(200, 'n')), 'truncated to 200 characters when applied')
    assert.equal(names.length, 4)
    assertTooLong(await app.post(URL.event, event(ascii(LIMIT + 1, 'n'))), 'action')
    assertTooLong(await app.post(URL.event, event(emoji(LIMIT + 1))), 'action')
  })

  it('§7.3 Bulk: an element over a bound is skipped with the error, the rest applied; strict: the 400', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(URL.bulk, {
      type: 'transition',
      elements: [
        { type: 'customer', customer_id: ascii(LIMIT + 1) },
        { type: 'event', customer_id: 'b1', actions: [{ action: ascii(LIMIT + 1) }] },
        {
          type: 'device',
          customer_id: 'b1',
          device_id: ascii(LIMIT + 1),
          attributes: { platform: 'web', push_id: 'p' },
        },
        { type: 'customer', customer_id: ascii(LIMIT), attributes: { kept: 1 } },
        { type: 'event', customer_id: 'b1', actions: [{ action: ascii(LIMIT) }] },
      ],
    })
    const report = await app.inspect(requestIdOf(res))
    assert.deepEqual(
      report.records.map((r) => [r.outcome, r.reason, r.customer_id]),
      [
        [
          'skipped',
          'customer_id can not exceed 512 characters (element skipped; spec §7.3)',
          null, // the id over the bound stays in the element only
        ],
        ['skipped', 'action can not exceed 512 characters (element skipped; spec §7.3)', 'b1'],
        ['skipped', 'device_id can not exceed 512 characters (element skipped; spec §7.3)', 'b1'],
        ['applied', undefined, ascii(LIMIT)],
        ['applied', undefined, 'b1'],
      ],
    )
    assert.equal((await app.getUser(ascii(LIMIT)))?.['kept'], 1)
    await app.store.workspaces.update(W, {
      settings: { bulkStrictElementValidation: true },
      updatedAt: app.clock.now(),
    })
    const strict = await app.post(URL.bulk, {
      type: 'transition',
      elements: [
        { type: 'customer', customer_id: 'fine' },
        { type: 'customer', customer_id: emoji(LIMIT + 1) },
      ],
    })
    assertTooLong(strict, 'customer_id')
    assert.equal(await app.getUser('fine'), undefined, 'a refused request stores nothing')
  })

  it('§7.5 / §7.6 / §7.7 / §7.8 / §7.12 the other bodies that name users and devices', async (t) => {
    const app = await createTestApp(t)
    const [retained, merged, doomed] = ['r', 'm', 'x'].map((tag) => ascii(LIMIT, tag)) as [
      string,
      string,
      string,
    ]
    const erased = emoji(LIMIT)
    const deviceId = ascii(LIMIT, 'd')
    for (const id of [retained, merged, doomed, erased]) {
      await app.post(URL.track, { type: 'customer', customer_id: id })
    }
    await app.post(URL.device, {
      type: 'device',
      customer_id: retained,
      device_id: deviceId,
      attributes: { platform: 'iOS', push_id: 'p' },
    })
    await app.drain()

    // Get User (§7.6): `identifier`, whatever its type.
    const exported = await app.post(URL.exportUsers, {
      data: { identifiers: [{ identifier_type: 'customer_id', identifier: retained }] },
    })
    assert.equal(exported.statusCode, 200, exported.body)
    assert.equal(exported.json<{ data: { users: unknown[] } }>().data.users.length, 1)
    for (const identifier_type of ['customer_id', 'id']) {
      const res = await app.post(URL.exportUsers, {
        data: { identifiers: [{ identifier_type, identifier: ascii(LIMIT + 1) }] },
      })
      assertTooLong(res, 'identifier')
    }

    // Device Opt-out (§7.5): the customer id and the device ids.
    const optOut = (value: string, device: Record<string, string>) => ({
      user_identifier_type: 'customer_id',
      user_identifier_value: value,
      action_type: 'block',
      device_identifiers: [device],
    })
    await assertApplied(app, await app.post(URL.optOut, optOut(retained, { unique_id: deviceId })))
    const user = await userRow(app, retained)
    const [device] = await app.store.profiles.devicesOfUser(W, user.id)
    assert.equal(device?.attributes['push_blocked'], true)
    const over = ascii(LIMIT + 1)
    assertTooLong(
      await app.post(URL.optOut, optOut(over, { unique_id: deviceId })),
      'user_identifier_value',
    )
    assertTooLong(await app.post(URL.optOut, optOut(retained, { unique_id: over })), 'unique_id')
    assertTooLong(
      await app.post(URL.optOut, optOut(retained, { device_unique_id: over })),
      'device_unique_id',
    )

    // Merge Users (§7.7).
    const mergeBody = (m: string, r: string) => ({
      merge_data: [{ merged_user: m, retained_user: r }],
    })
    assertTooLong(await app.post(URL.merge, mergeBody(over, retained)), 'merged_user')
    assertTooLong(await app.post(URL.merge, mergeBody(merged, over)), 'retained_user')
    await assertApplied(app, await app.post(URL.merge, mergeBody(merged, retained)))

    // Delete Users (§7.8).
    const del = (value: string) => ({ identity_type: 'customer_id', identity_value: value })
    assertTooLong(await app.post(URL.delete, del(over)), 'identity_value')
    await assertApplied(app, await app.post(URL.delete, del(doomed)))
    const due = await app.store.processing.dueDeletions(Number.MAX_SAFE_INTEGER, 10)
    assert.deepEqual(
      due.map((d) => d.userId),
      [(await userRow(app, doomed)).id],
    )

    // GDPR / CCPA erasure (§7.12).
    const gdpr = (value: string) => ({
      request_type: 'erasure',
      submitted_time: '2026-11-01T10:00:00Z',
      identities: [{ identity_type: 'ID', identity_value: value }],
      api_version: '1.0',
    })
    assertTooLong(await app.post(URL.gdpr, gdpr(emoji(LIMIT + 1))), 'identity_value')
    const accepted = await app.post(URL.gdpr, gdpr(erased))
    assert.equal(accepted.statusCode, 200, accepted.body)
    await app.drain()
    assert.equal(await app.getUser(erased), undefined, 'the 512-character ID was erased')
  })
})
