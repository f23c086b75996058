/**
 * Conformance: Track User and what it does to a profile — spec §6.1 (customer_id), §7.1, §8.1–§8.6.
 * Each test is named after the rule it pins and fails when the rule is broken.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createTestApp } from '../helpers/app.js'
import {
  TRACK,
  assertRefusal,
  assertRefusals,
  customer,
  invalid,
  missing,
  requestIdOf,
} from '../helpers/data-api.js'

/** The named attributes of an exported user (undefined where it has none). */
const pick = (user: Record<string, unknown> | undefined, keys: readonly string[]) =>
  Object.fromEntries(keys.map((key) => [key, user?.[key]]))

describe('§6.1 customer_id', () => {
  it('§6.1 missing customer_id is 400 MissingAttributeError', async (t) => {
    const { post } = await createTestApp(t)
    const res = await post(TRACK, { type: 'customer', attributes: {} })
    assertRefusal(res, missing('customer_id', 'customer_id is not found in the payload'))
  })
  it('§6.1 empty customer_id is 400 "customer_id can not be empty Unicode String"', async (t) => {
    const { post } = await createTestApp(t)
    const res = await post(TRACK, customer(''))
    assertRefusal(res, missing('customer_id', 'customer_id can not be empty Unicode String'))
  })
  it('§6.1 a non-string customer_id is 400 "customer_id is expected to be String or Unicode String."', async (t) => {
    const app = await createTestApp(t)
    const refusal = missing(
      'customer_id',
      'customer_id is expected to be String or Unicode String.',
    )
    await assertRefusals(
      app,
      TRACK,
      [42, true, ['a'], { a: 1 }].map((id) => [customer(id), refusal]),
    )
  })
  it('§6.1 denylisted ids are accepted, not processed, and the reason is recorded', async (t) => {
    const { post, getUser, inspect } = await createTestApp(t)
    for (const id of ['unknown', 'guest', 'null', '0', 'n/a', 'dummy_seller_code', '-1', 'x']) {
      const res = await post(TRACK, customer(id, { a: 1 }))
      assert.equal(res.statusCode, 200, id)
      assert.equal(await getUser(id), undefined, id)
      const report = await inspect(requestIdOf(res))
      assert.equal(report.records[0]?.outcome, 'skipped')
      assert.match(report.records[0]?.reason ?? '', /spec §6\.1/)
    }
  })
  it('§6.1 the denylist is exact and case-sensitive', async (t) => {
    const { post, getUser } = await createTestApp(t)
    for (const id of ['Guest', 'NULL', 'unknown1', 'ab']) {
      assert.equal((await post(TRACK, customer(id, { a: 1 }))).statusCode, 200)
      assert.equal((await getUser(id))?.['a'], 1, id)
    }
  })
})

describe('§7.1 Track User', () => {
  it('§7.1 update_existing_only (boolean or string) never creates a user', async (t) => {
    const { post, getUser, inspect } = await createTestApp(t)
    for (const flag of [true, 'true', 'TRUE']) {
      const res = await post(TRACK, customer('nobody', { a: 1 }, { update_existing_only: flag }))
      assert.equal(res.statusCode, 200)
      assert.equal(await getUser('nobody'), undefined)
      const report = await inspect(requestIdOf(res))
      assert.match(report.records[0]?.reason ?? '', /update_existing_only/)
    }
    await post(TRACK, customer('somebody', { a: 1 }))
    await post(TRACK, customer('somebody', { a: 2 }, { update_existing_only: 'true' }))
    assert.equal((await getUser('somebody'))?.['a'], 2)
    await post(TRACK, customer('other', { a: 3 }, { update_existing_only: 'false' }))
    assert.equal((await getUser('other'))?.['a'], 3)
  })
  it('§7.1 update_existing_only of another type is 400', async (t) => {
    const { post } = await createTestApp(t)
    const res = await post(TRACK, customer('u1', {}, { update_existing_only: 'yes' }))
    assertRefusal(
      res,
      missing('update_existing_only', 'update_existing_only is expected to be Boolean.'),
    )
  })
  it('§4.4 a field of the wrong JSON type is 400 "<key> is expected to be <datatype>"', async (t) => {
    const app = await createTestApp(t)
    const u1 = { type: 'customer', customer_id: 'u1' }
    const object = (key: string) => missing(key, `${key} is expected to be JSON Object.`)
    await assertRefusals(app, TRACK, [
      [{ ...u1, attributes: 5 }, object('attributes')],
      [{ ...u1, attributes: ['a'] }, object('attributes')],
      [{ ...u1, platforms: 'ANDROID' }, missing('platforms', 'platforms is expected to be Array.')],
      [{ ...u1, attributes: { addValueToArrayField: ['a'] } }, object('addValueToArrayField')],
      [
        { ...u1, attributes: { removeValueFromArrayField: 'a' } },
        object('removeValueFromArrayField'),
      ],
      [
        { ...u1, update_existing_only: 1 },
        missing('update_existing_only', 'update_existing_only is expected to be Boolean.'),
      ],
    ])
  })
  it('§7 a wrong-case type is accepted and not processed, with the reason recorded', async (t) => {
    const { post, getUser, inspect } = await createTestApp(t)
    const res = await post(TRACK, { type: 'Customer', customer_id: 'cased', attributes: { a: 1 } })
    assert.equal(res.statusCode, 200)
    assert.equal(await getUser('cased'), undefined)
    assert.match((await inspect(requestIdOf(res))).records[0]?.reason ?? '', /lowercase/)
  })
})

describe('§8.1 standard attributes', () => {
  it('§8.1 friendly and internal keys are one attribute, exported by friendly name', async (t) => {
    const { post, getUser } = await createTestApp(t)
    await post(
      TRACK,
      customer('u1', { first_name: 'Ann', u_ln: 'Lee', email: 'a@x.io', u_mb: '+1' }),
    )
    await post(TRACK, customer('u1', { u_fn: 'Anna', mobile: '+2' }))
    const user = await getUser('u1')
    assert.equal(user?.['first_name'], 'Anna')
    assert.equal(user?.['last_name'], 'Lee')
    assert.equal(user?.['email'], 'a@x.io')
    assert.equal(user?.['mobile'], '+2')
    for (const internal of ['u_fn', 'u_ln', 'u_em', 'u_mb'])
      assert.equal(user?.[internal], undefined)
  })
  it('§8.1 every friendly alias and its internal key are one attribute', async (t) => {
    const { post, getUser } = await createTestApp(t)
    const aliases: [string, string, unknown, unknown][] = [
      ['name', 'u_n', 'Ann Lee', 'Anna Lee'],
      ['first_name', 'u_fn', 'Ann', 'Anna'],
      ['last_name', 'u_ln', 'Lee', 'Li'],
      ['email', 'u_em', 'a@x.io', 'b@x.io'],
      ['mobile', 'u_mb', '+911', '+912'],
      ['gender', 'u_gd', 'F', 'female'],
      ['birthday', 'u_bd', '1990-01-02', '1991-02-03T00:00:00Z'],
    ]
    // created with the internal keys, updated with the friendly ones
    await post(TRACK, customer('u1', Object.fromEntries(aliases.map(([, k, v]) => [k, v]))))
    await post(TRACK, customer('u1', Object.fromEntries(aliases.map(([f, , , v]) => [f, v]))))
    // and the other way round
    await post(TRACK, customer('u2', Object.fromEntries(aliases.map(([f, , v]) => [f, v]))))
    await post(TRACK, customer('u2', Object.fromEntries(aliases.map(([, k, , v]) => [k, v]))))
    for (const id of ['u1', 'u2']) {
      const user = await getUser(id)
      for (const [, internal] of aliases) {
        assert.equal(Object.hasOwn(user ?? {}, internal), false, `${id}: no ${internal}`)
      }
      assert.deepEqual(
        aliases.map(([f]) => user?.[f]),
        ['Anna Lee', 'Anna', 'Li', 'b@x.io', '+912', 'female', '1991-02-03T00:00:00.000Z'],
        id,
      )
    }
  })
  it('§8.1 birthday, created_time and last_seen given as epoch seconds or ms are datetimes', async (t) => {
    const { post, getUser } = await createTestApp(t)
    await post(
      TRACK,
      customer('u1', { birthday: 631152000, created_time: '1767092989259', last_seen: 1767092989 }),
    )
    const user = await getUser('u1')
    assert.equal(user?.['birthday'], '1990-01-01T00:00:00.000Z')
    assert.equal(user?.['created_time'], '2025-12-30T11:09:49.259Z')
    assert.equal(user?.['last_seen'], '2025-12-30T11:09:49.000Z')
  })
  it('§8.1 create-only keys are set at creation and ignored on update', async (t) => {
    const { post, getUser, inspect } = await createTestApp(t)
    const created = {
      publisher_name: 'Pub1',
      campaign_name: 'Camp1',
      moe_gaid: 'gaid-1',
      advertising_identifier: 'ad-1',
      created_time: '2020-01-01T00:00:00Z',
      last_seen: '2020-02-02T00:00:00Z',
      moe_mweb: true,
    }
    await post(TRACK, customer('u1', created))
    const res = await post(
      TRACK,
      customer('u1', {
        publisher_name: 'Pub2',
        campaign_name: 'Camp2',
        moe_gaid: 'gaid-2',
        advertising_identifier: 'ad-2',
        cr_t: '2021-01-01T00:00:00Z',
        u_l_a: 1767092989259,
        moe_mweb: false,
        first_name: 'updatable',
      }),
    )
    const user = await getUser('u1')
    // Every create-only key as it was created (the datetimes in their exported form).
    assert.deepEqual(pick(user, Object.keys(created)), {
      ...created,
      created_time: '2020-01-01T00:00:00.000Z',
      last_seen: '2020-02-02T00:00:00.000Z',
    })
    assert.equal(user?.['first_name'], 'updatable')
    const report = await inspect(requestIdOf(res))
    assert.equal(report.records[0]?.outcome, 'applied')
    assert.deepEqual(
      report.records[0]?.notes,
      [
        'publisher_name',
        'campaign_name',
        'moe_gaid',
        'advertising_identifier',
        'cr_t',
        'u_l_a',
        'moe_mweb',
      ].map((k) => `'${k}' is set only when a user is created; the update was ignored (spec §8.1)`),
    )
  })
  it('§8.2 First Seen is the creation time unless supplied; epoch ms becomes a datetime', async (t) => {
    const { post, getUser, clock } = await createTestApp(t)
    await post(TRACK, customer('fresh', { a: 1 }))
    assert.equal((await getUser('fresh'))?.['created_time'], new Date(clock.now()).toISOString())
    await post(TRACK, customer('given', { cr_t: 1767092989259 }))
    assert.equal((await getUser('given'))?.['created_time'], '2025-12-30T11:09:49.259Z')
  })
  it('§8.1 blocked names, derived and reserved keys are dropped with a recorded reason', async (t) => {
    const { post, getUser, inspect } = await createTestApp(t)
    const res = await post(
      TRACK,
      customer('u1', {
        id: 'x',
        _id: 'y',
        '': 'z',
        uid: 'other',
        t_rev: 100,
        u_s_c: 3,
        USER_ATTRIBUTE_USER_EMAIL: 'e',
        status: 'gold',
        user_id: 'u',
        source: 'ads',
        kept: 1,
      }),
    )
    const user = await getUser('u1')
    for (const k of [
      '_id',
      '',
      'uid',
      't_rev',
      'u_s_c',
      'USER_ATTRIBUTE_USER_EMAIL',
      'status',
      'user_id',
    ]) {
      assert.equal(Object.hasOwn(user ?? {}, k), false, k)
    }
    assert.notEqual(user?.['id'], 'x')
    assert.equal(user?.['source'], 'ads')
    assert.equal(user?.['kept'], 1)
    assert.equal((await inspect(requestIdOf(res))).records[0]?.notes?.length, 9)
  })
  it('§8.1 unknown moe_ keys are stored as custom with a note', async (t) => {
    const { post, getUser, inspect } = await createTestApp(t)
    const res = await post(TRACK, customer('u1', { moe_custom: 'v', moe_spam: true }))
    const user = await getUser('u1')
    assert.equal(user?.['moe_custom'], 'v')
    assert.equal(user?.['moe_spam'], true)
    const notes = (await inspect(requestIdOf(res))).records[0]?.notes ?? []
    assert.equal(notes.length, 1)
    assert.match(notes[0] ?? '', /moe_custom/)
  })
})

describe('§8.2 upsert', () => {
  it('§8.2 last write wins per key; absent keys untouched; 0, "N/A", "" and null kept', async (t) => {
    const { post, getUser } = await createTestApp(t)
    await post(TRACK, customer('u1', { a: 1, b: 'x', c: 5, d: 'y', e: true, f: 1 }))
    await post(TRACK, customer('u1', { a: 2, c: 0, d: 'N/A', e: null, f: '' }))
    const user = await getUser('u1')
    assert.deepEqual(pick(user, ['a', 'b', 'c', 'd', 'e', 'f']), {
      a: 2,
      b: 'x',
      c: 0,
      d: 'N/A',
      e: null,
      f: '',
    })
    assert.equal(Object.hasOwn(user ?? {}, 'e'), true)
  })
})

describe('§8.3 types and limits', () => {
  it('§8.3 the two datetime formats become datetimes; other strings and impossible dates stay', async (t) => {
    const { post, getUser } = await createTestApp(t)
    const values: [key: string, given: string, stored: string][] = [
      ['expiry_date', '2020-05-31T03:47:35Z', '2020-05-31T03:47:35.000Z'],
      ['plain_date', '2022-01-22', '2022-01-22T00:00:00.000Z'],
      ['future', '2999-01-01T00:00:00Z', '2999-01-01T00:00:00.000Z'],
      ['impossible', '2019-15-12', '2019-15-12'],
      ['birthday', '02-12-2001', '02-12-2001'],
      ['text', 'hello', 'hello'],
    ]
    await post(
      TRACK,
      customer('u1', Object.fromEntries(values.map(([key, given]) => [key, given]))),
    )
    const user = await getUser('u1')
    for (const [key, , stored] of values) assert.equal(user?.[key], stored, key)
  })
  it('§8.3 long names and values are truncated, long URLs rejected, arrays capped', async (t) => {
    const { post, getUser } = await createTestApp(t)
    await post(
      TRACK,
      customer('u1', {
        ['n'.repeat(210)]: 1,
        long: 's'.repeat(600),
        link: `https://x.io/${'p'.repeat(600)}`,
        list: Array.from({ length: 55 }, (_, i) => i),
      }),
    )
    const user = await getUser('u1')
    assert.equal(user?.['n'.repeat(200)], 1)
    assert.equal((user?.['long'] as string).length, 512)
    assert.equal(Object.hasOwn(user ?? {}, 'link'), false)
    assert.equal((user?.['list'] as unknown[]).length, 50)
  })
})

describe('§8.4 arrays', () => {
  it('§8.4 a plain array replaces; add appends missing values; remove takes values out', async (t) => {
    const { post, getUser } = await createTestApp(t)
    await post(TRACK, customer('u1', { tags: ['a', 'b'], nums: [1, 2] }))
    await post(
      TRACK,
      customer('u1', { addValueToArrayField: { tags: ['b', 'c', 'c'], fresh: ['x'] } }),
    )
    await post(TRACK, customer('u1', { removeValueFromArrayField: { nums: [1] } }))
    let user = await getUser('u1')
    assert.deepEqual(user?.['tags'], ['a', 'b', 'c'])
    assert.deepEqual(user?.['fresh'], ['x'])
    assert.deepEqual(user?.['nums'], [2])
    await post(TRACK, customer('u1', { tags: ['z'] }))
    user = await getUser('u1')
    assert.deepEqual(user?.['tags'], ['z'])
  })
  it('§8.4 the same attribute in add and remove is 400 ArrayFieldError', async (t) => {
    const { post } = await createTestApp(t)
    const res = await post(
      TRACK,
      customer('u1', {
        addValueToArrayField: { first_name: ['a'] },
        removeValueFromArrayField: { u_fn: ['b'] },
      }),
    )
    assertRefusal(res, {
      type: 'ArrayFieldError',
      message: "Cannot add and remove 'first_name' at the same time",
      attribute: 'addValueToArrayField',
    })
  })
})

describe('§8.5 platforms', () => {
  it('§8.5 platforms inside attributes or at top level, one entry per platform', async (t) => {
    const { post, getUser, inspect } = await createTestApp(t)
    await post(TRACK, customer('u1', { platforms: [{ platform: 'ANDROID', active: 'true' }] }))
    const res = await post(
      TRACK,
      customer(
        'u1',
        {},
        {
          platforms: [
            { platform: 'ios', active: 'true' },
            { platform: 'ANDROID', active: 'false' },
            { platform: 'Windows', active: 'true' },
          ],
        },
      ),
    )
    assert.deepEqual((await getUser('u1'))?.['platforms'], [
      { platform: 'ANDROID', active: 'false' },
      { platform: 'iOS', active: 'true' },
    ])
    assert.match((await inspect(requestIdOf(res))).records[0]?.notes?.[0] ?? '', /platforms\[2\]/)
  })
})

describe('§8.6 unset_attributes', () => {
  it('§8.6 equals / prefix / suffix / contains, case_sensitive default true', async (t) => {
    const { post, getUser } = await createTestApp(t)
    await post(
      TRACK,
      customer('u1', {
        keep: 1,
        drop_me: 1,
        Drop_Case: 1,
        a_suffix: 1,
        has_mid_x: 1,
        first_name: 'A',
      }),
    )
    await post(
      TRACK,
      customer(
        'u1',
        {},
        {
          unset_attributes: [
            { type: 'prefix', attr: 'drop_' },
            { type: 'equals', attr: 'drop_case', case_sensitive: false },
            { type: 'suffix', attr: '_suffix' },
            { type: 'contains', attr: 'mid' },
            { type: 'equals', attr: 'FIRST_NAME' },
          ],
        },
      ),
    )
    const user = await getUser('u1')
    assert.deepEqual(
      Object.keys(user ?? {})
        .filter((k) => !['created_time', 'customer_id', 'id'].includes(k))
        .sort(),
      ['first_name', 'keep'],
    )
  })
  it('§8.6 every value type can be unset, an array as a whole', async (t) => {
    const { post, getUser } = await createTestApp(t)
    const values = { s: 'x', n: 5, d: '2022-01-22', b: true, list: ['a', 'b'], nums: [1, 2] }
    await post(TRACK, customer('u1', { ...values, kept: 1 }))
    await post(
      TRACK,
      customer(
        'u1',
        {},
        { unset_attributes: Object.keys(values).map((attr) => ({ type: 'equals', attr })) },
      ),
    )
    const user = await getUser('u1')
    for (const key of Object.keys(values)) assert.equal(Object.hasOwn(user ?? {}, key), false, key)
    assert.equal(user?.['kept'], 1)
  })
  it('§8.6 unset wins over a value for the same attribute in the same payload', async (t) => {
    const { post, getUser } = await createTestApp(t)
    await post(TRACK, customer('u1', { color: 'red' }))
    await post(
      TRACK,
      customer('u1', { color: 'blue' }, { unset_attributes: [{ type: 'equals', attr: 'color' }] }),
    )
    assert.equal(Object.hasOwn((await getUser('u1')) ?? {}, 'color'), false)
  })
  it('§8.6 only registered attributes can be unset: a rule that matches nothing says so', async (t) => {
    const { post, inspect } = await createTestApp(t)
    await post(TRACK, customer('u1', { color: 'red' }))
    const res = await post(
      TRACK,
      customer('u1', {}, { unset_attributes: [{ type: 'prefix', attr: 'size' }] }),
    )
    const [record] = (await inspect(requestIdOf(res))).records
    assert.equal(record?.outcome, 'applied')
    assert.deepEqual(record?.notes, [
      "unset_attributes prefix 'size' matched no attribute of this user (spec §8.6: only registered attributes can be unset)",
    ])
  })
  it('§8.6 the ID and create-only attributes cannot be unset', async (t) => {
    const { post, getUser } = await createTestApp(t)
    await post(TRACK, customer('u1', { publisher_name: 'P' }))
    await post(TRACK, customer('u1', {}, { unset_attributes: [{ type: 'contains', attr: 'e' }] }))
    const user = await getUser('u1')
    assert.equal(user?.['publisher_name'], 'P')
    assert.equal(user?.['customer_id'], 'u1')
    assert.equal(typeof user?.['created_time'], 'string')
  })
  it('§8.6 a malformed rule is 400 naming the rule', async (t) => {
    const app = await createTestApp(t)
    const rules = (rules: unknown) => customer('u1', {}, { unset_attributes: rules })
    const rule = (message: string) => invalid('unset_attributes', message)
    await assertRefusals(app, TRACK, [
      [
        rules([{ type: 'regex', attr: 'a' }]),
        rule('unset_attributes[0].type should be one of equals, prefix, suffix, contains'),
      ],
      [rules([{ type: 'equals' }]), rule('unset_attributes[0].attr should be a non-empty string')],
      [
        rules([{ type: 'equals', attr: 'a', case_sensitive: 'maybe' }]),
        rule('unset_attributes[0].case_sensitive should be a boolean'),
      ],
      [rules(['a']), rule('unset_attributes[0] should be an object with type and attr')],
      [rules('a'), missing('unset_attributes', 'unset_attributes is expected to be Array.')],
    ])
  })
})

describe('§8 a sequence of Track User calls', () => {
  it('§8 Get User returns exactly what the rules say', async (t) => {
    const { post, getUser, clock } = await createTestApp(t)
    const created = new Date(clock.now()).toISOString()
    await post(
      TRACK,
      customer('seq', {
        name: 'Jo',
        publisher_name: 'First',
        tags: ['a'],
        joined: '2021-03-04',
        legacy: 'x',
        points: 1,
      }),
    )
    clock.advance(1000)
    await post(
      TRACK,
      customer('seq', {
        name: 'Joanne',
        publisher_name: 'Second',
        addValueToArrayField: { tags: ['b'] },
        points: 2,
      }),
    )
    await post(
      TRACK,
      customer('seq', {}, { unset_attributes: [{ type: 'equals', attr: 'legacy' }] }),
    )
    const user = await getUser('seq')
    assert.deepEqual(user, {
      created_time: created,
      name: 'Joanne',
      publisher_name: 'First',
      tags: ['a', 'b'],
      joined: '2021-03-04T00:00:00.000Z',
      points: 2,
      customer_id: 'seq',
      id: user?.['id'],
    })
    assert.match(String(user?.['id']), /^[0-9a-f]{24}$/)
  })
})
