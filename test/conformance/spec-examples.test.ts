/**
 * Conformance: the JSON examples of the spec itself (moengage-data-api.md §4, §7, §8) replayed
 * against Inlet — requests get the documented answer and land in the profile as §8 says; the two
 * envelopes of §4.1 / §4.2 are what Inlet answers. The examples are pinned in
 * test/helpers/spec-examples.ts (other tests use them too) and compared here with the spec's own
 * blocks (its copy in test/fixtures/moengage/, checked by fixtures.test.ts).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp } from '../helpers/app.js'
import {
  BULK,
  DELETE,
  EXPORT,
  TRACK,
  assertRefusal,
  customer,
  outcomesOf,
  requestIdOf,
  userOf,
} from '../helpers/data-api.js'
import { EXAMPLES } from '../helpers/spec-examples.js'

const SPEC_URL = new URL('../fixtures/moengage/moengage-data-api.md', import.meta.url)

describe('the spec’s own JSON examples', () => {
  it('pins the examples of the spec', () => {
    const spec = readFileSync(SPEC_URL, 'utf8')
    const blocks = [...spec.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
    const parsed = blocks.map((b) => {
      try {
        return JSON.parse(b) as unknown
      } catch {
        return JSON.parse(`{${b}}`) as unknown // the §8.6 fragment is a key and its value
      }
    })
    for (const [name, example] of Object.entries(EXAMPLES)) {
      assert.ok(
        parsed.some((p) => JSON.stringify(p) === JSON.stringify(example)),
        `${name} is a JSON block of the spec`,
      )
    }
  })

  it('§4.1 / §4.2 Inlet answers the documented envelopes', async (t) => {
    const app = await createTestApp(t)
    const ok = await app.post(TRACK, customer('john', {}))
    const okBody = ok.json<Record<string, unknown>>()
    assert.deepEqual(okBody, { ...EXAMPLES.success, request_id: okBody['request_id'] })
    const bad = await app.post(TRACK, { type: 'customer', attributes: {} })
    assert.equal(bad.statusCode, 400)
    const badBody = bad.json<{ error: Record<string, unknown> }>()
    assert.deepEqual(badBody, {
      ...EXAMPLES.failure,
      error: { ...EXAMPLES.failure.error, request_id: badBody.error['request_id'] },
    })
  })

  it('§7.1 the Track User example: update_existing_only skips a new user, updates an existing one', async (t) => {
    const app = await createTestApp(t)
    const first = await app.post(TRACK, EXAMPLES.trackUser)
    assert.equal(first.statusCode, 200)
    assert.equal((await app.inspect(requestIdOf(first))).records[0]?.outcome, 'skipped')
    assert.equal(await app.getUser('john@example.com'), undefined)
    await app.post(TRACK, { type: 'customer', customer_id: 'john@example.com' })
    const second = await app.post(TRACK, EXAMPLES.trackUser)
    assert.equal((await app.inspect(requestIdOf(second))).records[0]?.outcome, 'applied')
    const user = await app.getUser('john@example.com')
    assert.equal(user?.['points'], 20)
    assert.equal(user?.['expiry_date'], '2020-05-31T03:47:35.000Z')
    assert.equal(user?.['super_user'], true)
    assert.equal(user?.['user_persona'], 'browsers')
    assert.deepEqual(user?.['platforms'], [{ platform: 'ANDROID', active: 'true' }])
  })

  it('§7.1 / §8.4 the array-operations example creates the arrays and the platform', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(TRACK, EXAMPLES.arrayOps)
    assert.equal(res.statusCode, 200)
    const user = await app.getUser('123')
    assert.deepEqual(user?.['attribute1'], ['abc', 'def'])
    assert.deepEqual(user?.['attribute2'], ['a'])
    assert.deepEqual(user?.['attribute3'], ['123'])
    assert.deepEqual(user?.['platforms'], [{ platform: 'iOS', active: 'true' }])
  })

  it('§7.3 the Bulk example applies its customer, device and event', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(BULK, EXAMPLES.bulk)
    const applied = ['customer', 'device', 'event'].map((kind) => [kind, 'applied'])
    assert.deepEqual(await outcomesOf(app, res), applied)
    assert.equal((await app.getUser('john@example.com'))?.['name'], 'John')
    const user = await userOf(app, 'john@example.com')
    const [device] = await app.store.profiles.devicesOfUser(WORKSPACE_ID, user.id)
    assert.deepEqual(device?.attributes, {
      brand: 'Apple',
      platform: 'iOS',
      push_id: 'irBMohQPf_k2...',
    })
    const [event] = await app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 10)
    const T = Date.parse('2020-05-31T16:33:35Z')
    assert.equal(event?.deviceId, '96bd03b6-defc-4203-83d3-dc1c73080232')
    assert.equal(event?.eventTime, T)
    assert.equal(event?.userTime, T + 19800_000)
    assert.equal(event?.platform, 'iOS')
    assert.equal(event?.appVersion, '1.2.3')
  })

  it('§7.6 the Get User example answers the fields asked for and the id that matched nobody', async (t) => {
    const app = await createTestApp(t)
    await app.post(
      TRACK,
      customer('6416d1a318r98264512c0f89', {
        name: 'John',
        last_name: 'Doe',
        custom_user_attr: 12345,
      }),
    )
    await app.drain()
    const res = await app.post(EXPORT, EXAMPLES.getUser)
    assert.equal(res.statusCode, 200)
    const body = res.json<{
      data: { users_not_found: unknown[]; users: { user_attributes: Record<string, unknown> }[] }
    }>()
    const attributes = body.data.users[0]?.user_attributes
    assert.deepEqual(attributes, {
      last_name: 'Doe',
      name: 'John',
      customer_id: '6416d1a318r98264512c0f89',
      id: attributes?.['id'],
    })
    assert.deepEqual(body.data.users_not_found, [EXAMPLES.getUser.data.identifiers[1]])
  })

  it('§7.8 the Delete example: 200 for a user that exists, the documented 400 otherwise', async (t) => {
    const app = await createTestApp(t)
    const missing = await app.post(DELETE, EXAMPLES.delete)
    assertRefusal(missing, {
      type: 'Not Found',
      message: "User doesn't exists with customer id 6416d1a318r98264512c0f89",
    })
    await app.post(TRACK, { type: 'customer', customer_id: '6416d1a318r98264512c0f89' })
    await app.drain()
    const ok = await app.post(DELETE, EXAMPLES.delete)
    assert.equal(ok.statusCode, 200, ok.body)
  })

  it('§8.6 the unset example removes the attribute', async (t) => {
    const app = await createTestApp(t)
    await app.post(
      TRACK,
      customer('john', { custom_userattribute_1: 'x', custom_userattribute_10: 'y' }),
    )
    await app.post(TRACK, { type: 'customer', customer_id: 'john', ...EXAMPLES.unset })
    const user = await app.getUser('john')
    assert.equal(Object.hasOwn(user ?? {}, 'custom_userattribute_1'), false)
    assert.equal(user?.['custom_userattribute_10'], 'y')
  })
})
