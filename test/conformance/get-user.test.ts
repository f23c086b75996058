/**
 * Conformance: Get User `POST /v1/customers/export?app_id=` (spec §7.6) — identifiers by
 * `customer_id`, `id` or `moengage_id`, at most 20, `user_fields_to_export`, friendly keys in the
 * answer, `users_not_found`, and each documented 400 with its exact status, type, attribute and
 * message. Tests are named after the rule they pin.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../helpers/app.js'
import {
  EXPORT,
  TRACK,
  assertRefusal,
  invalid,
  missing,
  type Refusal,
} from '../helpers/data-api.js'

type Identifier = { identifier_type: string; identifier: string }
type Exported = {
  status: string
  type: string
  request_id: string
  data: { users_not_found: Identifier[]; users: { user_attributes: Record<string, unknown> }[] }
}
const byCustomerId = (identifier: string): Identifier => ({
  identifier_type: 'customer_id',
  identifier,
})

async function seed(app: TestApp): Promise<Map<string, string>> {
  for (const [customerId, attributes] of [
    [
      'ann',
      { first_name: 'Ann', u_ln: 'Lee', email: 'ann@x.io', plan: 'gold', joined: '2021-03-04' },
    ],
    ['bob', { name: 'Bob', plan: 'free' }],
  ] as const) {
    const res = await app.post(TRACK, { type: 'customer', customer_id: customerId, attributes })
    assert.equal(res.statusCode, 200, res.body)
  }
  await app.drain()
  const rows = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: ['ann', 'bob'],
    ids: [],
  })
  return new Map(rows.map((u) => [u.customerId ?? '', u.id]))
}

/** Get User of ann on a freshly seeded app, with `user_fields_to_export` when given. */
async function exportAnn(t: TestContext, fields?: readonly string[]) {
  const app = await createTestApp(t)
  const ids = await seed(app)
  const res = await app.post(EXPORT, {
    data: {
      identifiers: [byCustomerId('ann')],
      ...(fields === undefined ? {} : { user_fields_to_export: fields }),
    },
  })
  assert.equal(res.statusCode, 200, res.body)
  return {
    app,
    annId: ids.get('ann'),
    attributes: res.json<Exported>().data.users[0]?.user_attributes,
  }
}

describe('§7.6 Get User', () => {
  it('§7.6 finds users by customer_id, id and moengage_id; the rest are users_not_found', async (t) => {
    const app = await createTestApp(t)
    const ids = await seed(app)
    const identifiers = [
      byCustomerId('ann'),
      { identifier_type: 'id', identifier: ids.get('bob') ?? '' },
      { identifier_type: 'moengage_id', identifier: ids.get('ann') ?? '' },
      byCustomerId('nobody'),
      { identifier_type: 'id', identifier: '62e79fb15ada55x123g987bu' },
      { identifier_type: 'moengage_id', identifier: 'ann' },
    ]
    const res = await app.post(EXPORT, { data: { identifiers } })
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<Exported>()
    assert.equal(body.status, 'success')
    assert.equal(body.type, 'export_users')
    assert.match(body.request_id, /^[A-Za-z]{8}$/)
    assert.deepEqual(body.data.users_not_found, identifiers.slice(3))
    // ann asked for twice (by customer_id and by moengage_id) is answered once
    assert.deepEqual(body.data.users.map((u) => u.user_attributes['customer_id']).sort(), [
      'ann',
      'bob',
    ])
  })

  it('§7.6 answers friendly keys, customer_id and id; datetimes as ISO 8601', async (t) => {
    const { app, annId, attributes } = await exportAnn(t)
    assert.deepEqual(attributes, {
      created_time: new Date(app.clock.now()).toISOString(),
      first_name: 'Ann',
      last_name: 'Lee',
      email: 'ann@x.io',
      plan: 'gold',
      joined: '2021-03-04T00:00:00.000Z',
      customer_id: 'ann',
      id: annId,
    })
  })

  it('§7.6 user_fields_to_export limits the answer (friendly or internal names)', async (t) => {
    const fields = ['last_name', 'customer_id', 'u_fn', 'plan', 'not_an_attribute']
    const { annId, attributes } = await exportAnn(t, fields)
    assert.deepEqual(attributes, {
      last_name: 'Lee',
      first_name: 'Ann',
      plan: 'gold',
      customer_id: 'ann',
      id: annId,
    })
  })

  it('§7.6 up to 20 identifiers; 21 is 400 LimitBreached "max limit allowed is 20"', async (t) => {
    const app = await createTestApp(t)
    await seed(app)
    const twenty = Array.from({ length: 20 }, (_, i) => byCustomerId(`user-${i}`))
    const ok = await app.post(EXPORT, { data: { identifiers: twenty } })
    assert.equal(ok.statusCode, 200, ok.body)
    assert.equal(ok.json<Exported>().data.users_not_found.length, 20)
    const res = await app.post(EXPORT, {
      data: { identifiers: [...twenty, byCustomerId('ann')] },
    })
    assertRefusal(
      res,
      { type: 'LimitBreached', message: 'max limit allowed is 20', attribute: 'users' },
      '21 identifiers',
    )
  })

  it('§7.6 identifiers must be inside data: the documented 400s', async (t) => {
    const app = await createTestApp(t)
    const dataMissing = missing('data', 'data is not found in the payload')
    const identifiersMissing = missing('identifiers', 'identifiers is not found in the payload')
    const cases: [string, unknown, Refusal][] = [
      ['no data', {}, dataMissing],
      ['identifiers at the root', { identifiers: [byCustomerId('ann')] }, dataMissing],
      ['data not an object', { data: [byCustomerId('ann')] }, dataMissing],
      ['data null', { data: null }, dataMissing],
      ['no identifiers', { data: {} }, identifiersMissing],
      ['empty identifiers', { data: { identifiers: [] } }, identifiersMissing],
      [
        'identifiers not an array',
        { data: { identifiers: byCustomerId('a') } },
        identifiersMissing,
      ],
    ]
    for (const [name, body, expected] of cases) {
      assertRefusal(await app.post(EXPORT, body), expected, name)
    }
  })

  it('§7.6 malformed JSON is 400 "Malformed JSON"', async (t) => {
    const app = await createTestApp(t)
    assertRefusal(
      await app.post(EXPORT, '{"data": {"identifiers": ['),
      {
        type: 'Malformed JSON',
        message:
          'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.',
      },
      'truncated body',
    )
  })

  it('§7.6 an identifier of another type is 400 ValueError (Inlet: the spec names none)', async (t) => {
    const app = await createTestApp(t)
    const expected = invalid(
      'identifier_type',
      "identifier_type should be one of ['customer_id', 'id', 'moengage_id']",
    )
    for (const entry of [
      { identifier_type: 'email', identifier: 'ann@x.io' },
      { identifier_type: 'customer_id', identifier: 42 },
      { identifier: 'ann' },
      'ann',
    ]) {
      const res = await app.post(EXPORT, { data: { identifiers: [entry] } })
      assertRefusal(res, expected, JSON.stringify(entry))
    }
  })
})
