/**
 * Conformance: Bulk Import (spec §7.3) in its default and strict modes, the per-user device cap
 * (§7.4) through Bulk, and Portfolio `project_code` (§6.3).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../helpers/app.js'
import {
  BULK,
  EVENT,
  TRACK,
  assertRefusal,
  assertRefusals,
  missing,
  outcomesOf,
  requestIdOf,
  userOf,
  type Refusal,
} from '../helpers/data-api.js'

async function setSettings(app: TestApp, settings: Record<string, unknown>): Promise<void> {
  await app.store.workspaces.update(WORKSPACE_ID, { settings, updatedAt: app.clock.now() })
}

const badElements = [
  { type: 'Customer', customer_id: 'a' },
  { type: 'customer' },
  { type: 'event', customer_id: 'b', actions: [{ action: '' }] },
  'not an object',
]

describe('§7.3 Bulk Import', () => {
  it('§7.3 elements of all three types are applied like their single endpoints', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(BULK, {
      type: 'transition',
      elements: [
        { type: 'customer', customer_id: 'john', attributes: { name: 'John' } },
        {
          type: 'device',
          customer_id: 'john',
          device_id: 'dev-1',
          attributes: { platform: 'iOS', push_id: 'p1' },
        },
        { type: 'event', customer_id: 'john', actions: [{ action: 'Added to Cart' }] },
      ],
    })
    const applied = ['customer', 'device', 'event'].map((kind) => [kind, 'applied'])
    assert.deepEqual(await outcomesOf(app, res), applied)
    assert.equal((await app.getUser('john'))?.['name'], 'John')
  })
  it('§7.3 by default a bad element is skipped with the documented message, the rest applied', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(BULK, {
      type: 'transition',
      elements: [...badElements, { type: 'customer', customer_id: 'good', attributes: { a: 1 } }],
    })
    assert.equal(res.statusCode, 200)
    const report = await app.inspect(requestIdOf(res))
    assert.deepEqual(
      report.records.map((r) => r.outcome),
      ['skipped', 'skipped', 'skipped', 'skipped', 'applied'],
    )
    assert.match(
      report.records[0]?.reason ?? '',
      /type in elements should be customer\/event\/device/,
    )
    assert.match(report.records[1]?.reason ?? '', /'customer_id not found in the payload/)
    assert.match(report.records[2]?.reason ?? '', /'action cannot be empty Unicode string/)
    assert.match(report.records[3]?.reason ?? '', /not decoded as UTF-8/)
    assert.equal((await app.getUser('good'))?.['a'], 1)
  })
  it('§7.3 strict mode answers the documented 400s and stores nothing', async (t) => {
    const app = await createTestApp(t)
    await setSettings(app, { bulkStrictElementValidation: true })
    const first = { type: 'customer', customer_id: 'first', attributes: { a: 1 } }
    const after = (element: unknown) => ({ type: 'transition', elements: [first, element] })
    const [wrongType, noId, emptyAction, notObject] = badElements
    await assertRefusals(app, BULK, [
      [
        after(wrongType),
        {
          type: 'AttributeError',
          message: "'type in elements should be customer/event/device",
          attribute: 'type',
        },
      ],
      [after(noId), missing('customer_id', "'customer_id not found in the payload")],
      [after(emptyAction), missing('action', "'action cannot be empty Unicode string")],
      [
        after(notObject),
        {
          type: 'Malformed JSON',
          message:
            "'Could not decode the request body. The JSON was incorrect or not decoded as UTF-8.",
        },
      ],
    ])
    assert.equal(await app.getUser('first'), undefined)
  })
  it('§7.3 envelope problems are 400s in both modes', async (t) => {
    const app = await createTestApp(t)
    const empty = missing('elements', "'elements cannot be empty array")
    const cases: [unknown, Refusal][] = [
      [{ type: 'transition', elements: [] }, empty],
      [{ type: 'transition' }, empty],
      [{ type: 'transition', elements: { type: 'customer' } }, empty],
      [{ type: 'transition', elements: 'customer' }, empty],
      [
        { type: 'Transition', elements: [{ type: 'customer', customer_id: 'a' }] },
        { type: 'AttributeError', message: 'type should be transition', attribute: 'type' },
      ],
    ]
    for (const strict of [false, true]) {
      await setSettings(app, { bulkStrictElementValidation: strict })
      await assertRefusals(app, BULK, cases)
    }
  })
  it('§7.3 customer elements take update_existing_only and unset_attributes like Track User', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, { type: 'customer', customer_id: 'old', attributes: { a: 1, b: 2 } })
    const res = await app.post(BULK, {
      type: 'transition',
      elements: [
        {
          type: 'customer',
          customer_id: 'new',
          update_existing_only: 'true',
          attributes: { a: 1 },
        },
        {
          type: 'customer',
          customer_id: 'old',
          update_existing_only: true,
          attributes: { a: 3 },
          unset_attributes: [{ type: 'equals', attr: 'b' }],
        },
      ],
    })
    assert.equal(res.statusCode, 200)
    const report = await app.inspect(requestIdOf(res))
    assert.deepEqual(
      report.records.map((r) => r.outcome),
      ['skipped', 'applied'],
    )
    assert.match(report.records[0]?.reason ?? '', /update_existing_only/)
    assert.equal(await app.getUser('new'), undefined)
    const old = await app.getUser('old')
    assert.equal(old?.['a'], 3)
    assert.equal(Object.hasOwn(old ?? {}, 'b'), false)
  })
  it('§7.3 an element with the §8.4 ArrayFieldError: skipped by default, the 400 in strict mode', async (t) => {
    const app = await createTestApp(t)
    const conflict = {
      type: 'customer',
      customer_id: 'arr',
      attributes: {
        addValueToArrayField: { tags: ['a'] },
        removeValueFromArrayField: { tags: ['b'] },
      },
    }
    const lenient = await app.post(BULK, { type: 'transition', elements: [conflict] })
    assert.equal(lenient.statusCode, 200)
    const [record] = (await app.inspect(requestIdOf(lenient))).records
    assert.equal(record?.outcome, 'skipped')
    assert.match(record?.reason ?? '', /Cannot add and remove 'tags' at the same time/)
    await setSettings(app, { bulkStrictElementValidation: true })
    const strict = await app.post(BULK, { type: 'transition', elements: [conflict] })
    assertRefusal(strict, {
      type: 'ArrayFieldError',
      message: "Cannot add and remove 'tags' at the same time",
      attribute: 'addValueToArrayField',
    })
  })
  it('§7.3 the ?app_id= form works like the path form', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(`/v1/transition?app_id=${WORKSPACE_ID}`, {
      type: 'transition',
      elements: [{ type: 'customer', customer_id: 'qq', attributes: { a: 1 } }],
    })
    assert.equal(res.statusCode, 200)
    assert.equal((await app.getUser('qq'))?.['a'], 1)
  })
  it('§7.4 a user holds at most 1,000 devices; the next one is refused with a reason', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, { type: 'customer', customer_id: 'many' })
    const device = (i: number) => ({
      type: 'device',
      customer_id: 'many',
      device_id: `d${i}`,
      attributes: { platform: 'web', push_id: `p${i}` },
    })
    const ids = Array.from({ length: 1001 }, (_, i) => i)
    for (let i = 0; i < ids.length; i += 500) {
      const res = await app.post(BULK, {
        type: 'transition',
        elements: ids.slice(i, i + 500).map(device),
      })
      assert.equal(res.statusCode, 200)
    }
    const last = await app.post(BULK, { type: 'transition', elements: [device(5000)] })
    const user = await userOf(app, 'many')
    assert.equal((await app.store.profiles.devicesOfUser(WORKSPACE_ID, user.id)).length, 1000)
    const report = await app.inspect(requestIdOf(last))
    assert.match(report.records[0]?.reason ?? '', /1000 devices/)
    // an existing device can still be updated
    const update = await app.post(BULK, { type: 'transition', elements: [device(3)] })
    assert.equal((await app.inspect(requestIdOf(update))).records[0]?.outcome, 'applied')
  })
})

describe('§6.3 Portfolio project_code', () => {
  const unknownProject: Refusal = {
    type: 'InvalidParams',
    message: "project_code 'P9' is not a project of this workspace",
    attribute: 'project_code',
  }
  it('§6.3 attributes sent with project_code are project-level; events get moe_project_name', async (t) => {
    const app = await createTestApp(t)
    await setSettings(app, { projects: { P1: 'shop' } })
    await app.post(TRACK, { type: 'customer', customer_id: 'u1', attributes: { tier: 'gold' } })
    await app.post(`${TRACK}?project_code=P1`, {
      type: 'customer',
      customer_id: 'u1',
      attributes: { tier: 'silver', first_name: 'Ann' },
    })
    await app.post(`${EVENT}?project_code=P1`, {
      type: 'event',
      customer_id: 'u1',
      actions: [{ action: 'Viewed' }],
    })
    const user = await app.getUser('u1')
    assert.equal(user?.['tier'], 'gold')
    assert.equal(user?.['tier_shop'], 'silver')
    assert.equal(user?.['first_name_shop'], 'Ann')
    const row = await userOf(app, 'u1')
    const [e] = await app.store.profiles.eventsOfUser(WORKSPACE_ID, row.id, 10)
    assert.equal(e?.attributes['moe_project_name'], 'shop')
  })
  it('§6.3 project_code on Bulk Import tags its customer and event elements', async (t) => {
    const app = await createTestApp(t)
    await setSettings(app, { projects: { P1: 'shop' } })
    for (const url of [
      `${BULK}?project_code=P1`,
      `/v1/transition?app_id=${WORKSPACE_ID}&project_code=P1`,
    ]) {
      const res = await app.post(url, {
        type: 'transition',
        elements: [
          { type: 'customer', customer_id: 'u1', attributes: { tier: 'silver' } },
          { type: 'event', customer_id: 'u1', actions: [{ action: 'Viewed' }] },
        ],
      })
      assert.equal(res.statusCode, 200, res.body)
    }
    assert.equal((await app.getUser('u1'))?.['tier_shop'], 'silver')
    const row = await userOf(app, 'u1')
    const events = await app.store.profiles.eventsOfUser(WORKSPACE_ID, row.id, 10)
    assert.deepEqual(
      events.map((e) => e.attributes['moe_project_name']),
      ['shop', 'shop'],
    )
    const unknown = await app.post(`${BULK}?project_code=P9`, {
      type: 'transition',
      elements: [{ type: 'customer', customer_id: 'u1' }],
    })
    assertRefusal(unknown, unknownProject)
  })
  it('§6.3 an unknown project_code is 400 when the workspace lists its projects', async (t) => {
    const app = await createTestApp(t)
    await setSettings(app, { projects: { P1: 'shop' } })
    const res = await app.post(`${TRACK}?project_code=P9`, { type: 'customer', customer_id: 'u1' })
    assertRefusal(res, unknownProject)
  })
  it('§6.3 without a project list the code is the project name', async (t) => {
    const app = await createTestApp(t)
    await app.post(`${TRACK}?project_code=app2`, {
      type: 'customer',
      customer_id: 'u1',
      attributes: { plan: 'pro' },
    })
    assert.equal((await app.getUser('u1'))?.['plan_app2'], 'pro')
  })
})
