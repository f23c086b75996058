/**
 * Conformance: Device Opt-out (spec §7.5) — block and unblock one, several or all devices of a
 * user, each documented validation error with its exact string, and the 413 text of this page.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../helpers/app.js'

const MANAGE = `/v1/devices/manage?app_id=${WORKSPACE_ID}`
const DEVICE = `/v1/device/${WORKSPACE_ID}`

async function seed(app: TestApp) {
  await app.post(`/v1/customer/${WORKSPACE_ID}`, {
    type: 'customer',
    customer_id: 'owner',
    attributes: {},
  })
  await app.drain()
  const devices = [
    {
      device_id: 'phone',
      attributes: { platform: 'ANDROID', push_id: 'push-phone', moe_gaid: 'gaid-1' },
    },
    {
      device_id: 'tablet',
      attributes: { platform: 'iOS', push_id: 'push-tablet', idfv: 'idfv-1' },
    },
    { device_id: 'laptop', attributes: { platform: 'web', push_id: 'push-laptop' } },
  ]
  for (const d of devices) await app.post(DEVICE, { type: 'device', customer_id: 'owner', ...d })
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: ['owner'],
    ids: [],
  })
  assert.ok(user)
  return user.id
}

async function blocked(app: TestApp, userId: string): Promise<string[]> {
  await app.drain()
  const devices = await app.store.profiles.devicesOfUser(WORKSPACE_ID, userId)
  return devices
    .filter((d) => d.attributes['push_blocked'] === true)
    .map((d) => d.deviceId)
    .sort()
}

const body = (extra: Record<string, unknown> = {}) => ({
  user_identifier_type: 'customer_id',
  user_identifier_value: 'owner',
  action_type: 'block',
  ...extra,
})

describe('§7.5 Device Opt-out', () => {
  it('§7.5 blocks the named devices by any documented key, and unblocks them', async (t) => {
    const app = await createTestApp(t)
    const userId = await seed(app)
    const res = await app.post(
      MANAGE,
      body({
        reason: 'user asked',
        client_reference_id: 'ticket-9',
        device_identifiers: [{ GAID: 'gaid-1' }, { IDFV: 'idfv-1' }, { push_id: 'nope' }],
      }),
    )
    assert.equal(res.statusCode, 200)
    assert.deepEqual(await blocked(app, userId), ['phone', 'tablet'])
    const report = await app.inspect(res.json<{ request_id: string }>().request_id)
    assert.deepEqual(report.records[0]?.notes, [
      'blocked 2 device(s): phone, tablet',
      "no device of this user has push_id 'nope'",
    ])
    const phone = (await app.store.profiles.devicesOfUser(WORKSPACE_ID, userId)).find(
      (d) => d.deviceId === 'phone',
    )
    assert.equal(phone?.attributes['push_block_reason'], 'user asked')
    assert.equal(phone?.attributes['push_block_reference'], 'ticket-9')

    await app.post(
      MANAGE,
      body({ action_type: 'unblock', device_identifiers: [{ unique_id: 'phone' }] }),
    )
    assert.deepEqual(await blocked(app, userId), ['tablet'])
  })

  it('§7.5 without device_identifiers the action applies to every device of the user', async (t) => {
    const app = await createTestApp(t)
    const userId = await seed(app)
    await app.post(MANAGE, body())
    assert.deepEqual(await blocked(app, userId), ['laptop', 'phone', 'tablet'])
    await app.post(MANAGE, body({ action_type: 'unblock' }))
    assert.deepEqual(await blocked(app, userId), [])
  })

  it('§7.5 an unknown user is skipped with the reason', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(MANAGE, body({ user_identifier_value: 'nobody' }))
    assert.equal(res.statusCode, 200)
    const report = await app.inspect(res.json<{ request_id: string }>().request_id)
    assert.equal(report.records[0]?.outcome, 'skipped')
    assert.match(report.records[0]?.reason ?? '', /no user has customer_id 'nobody'/)
  })

  it('§7.5 the documented validation errors, exactly', async (t) => {
    const app = await createTestApp(t)
    const without = (key: string) => {
      const b: Record<string, unknown> = body()
      Reflect.deleteProperty(b, key)
      return b
    }
    const cases: [unknown, string, string, string][] = [
      [
        without('user_identifier_value'),
        'MissingAttributeError',
        'user_identifier_value',
        'user_identifier_value is not found in the payload',
      ],
      [
        without('user_identifier_type'),
        'MissingAttributeError',
        'user_identifier_type',
        'customer_identifier_type is not found in the payload',
      ],
      [
        without('action_type'),
        'MissingAttributeError',
        'action_type',
        'Action_type is not found in the payload',
      ],
      [
        body({ device_identifiers: [] }),
        'MissingAttributeError',
        'device_identifiers',
        'device_identifiers is missing in the payload',
      ],
      [
        body({ device_identifiers: [{ serial: 'x' }] }),
        'ValueError',
        'device_identifiers',
        "device identifier can only be in ['moe_gaid', 'push_id', 'unique_id', 'device_unique_id'] ",
      ],
      [
        body({ action_type: 'pause' }),
        'ValueError',
        'action_type',
        "action_type should be one of ['block', 'unblock']",
      ],
    ]
    for (const [payload, type, attribute, message] of cases) {
      const res = await app.post(MANAGE, payload)
      assert.equal(res.statusCode, 400, message)
      const error = res.json<{ error: Record<string, unknown> }>().error
      assert.deepEqual(
        [error['type'], error['attribute'], error['message']],
        [type, attribute, message],
      )
    }
  })

  it('§7.5 answers 413 with this page’s own text', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(MANAGE, body({ reason: 'x'.repeat(140 * 1024) }))
    assert.equal(res.statusCode, 413)
    const error = res.json<{ error: { type: string; message: string } }>().error
    assert.deepEqual(
      [error.type, error.message],
      ['Payload too large', 'Payload cannot exceed 128KB'],
    )
  })
})
