/**
 * Conformance: the lists the spec spells out in full — the §6.1 `customer_id` denylist and the
 * §8.1 reserved user-attribute keywords — pinned here entry by entry (and checked against the spec
 * text, its copy in test/fixtures/moengage/), each entry sent through the API.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp } from '../helpers/app.js'

const SPEC = readFileSync(
  new URL('../fixtures/moengage/moengage-data-api.md', import.meta.url),
  'utf8',
)

/** spec §6.1, verbatim and in its order. */
const DENYLIST = [
  'unknown',
  'guest',
  'null',
  '0',
  '1',
  'true',
  'false',
  'user_attribute_unique_id',
  '(empty)',
  'na',
  'n/a',
  '',
  'dummy_seller_code',
  'user_id',
  'id',
  'customer_id',
  'uid',
  'userid',
  'none',
  '-2',
  '-1',
  '2',
]

/** spec §8.1 reserved user-attribute keywords (the clean list), verbatim and in its order. */
const RESERVED = [
  'USER_ATTRIBUTE_UNIQUE_ID',
  'USER_ATTRIBUTE_USER_EMAIL',
  'USER_ATTRIBUTE_USER_MOBILE',
  'USER_ATTRIBUTE_USER_NAME',
  'USER_ATTRIBUTE_USER_GENDER',
  'USER_ATTRIBUTE_USER_FIRST_NAME',
  'USER_ATTRIBUTE_USER_LAST_NAME',
  'USER_ATTRIBUTE_USER_BDAY',
  'USER_ATTRIBUTE_NOTIFICATION_PREF',
  'USER_ATTRIBUTE_OLD_ID',
  'MOE_TIME_FORMAT',
  'MOE_TIME_TIMEZONE',
  'USER_ATTRIBUTE_DND_START_TIME',
  'USER_ATTRIBUTE_DND_END_TIME',
  'MOE_GAID',
  'INSTALL',
  'UPDATE',
  'MOE_ISLAT',
  'status',
  'user_id',
  'source',
]

const requestIdOf = (res: { json<T>(): T }): string => res.json<{ request_id: string }>().request_id

describe('the spec’s own lists', () => {
  it('pins the lists of the spec', () => {
    const denyLine = SPEC.split('\n').find((l) => l.trim().startsWith("`'unknown', 'guest'"))
    assert.ok(denyLine, 'the §6.1 denylist line')
    const denied = [...denyLine.matchAll(/'([^']*)'/g)].map((m) => m[1])
    assert.deepEqual(denied, DENYLIST)
    const start = SPEC.indexOf('Reserved user-attribute keywords')
    const reservedText = SPEC.slice(start, SPEC.indexOf('(clean list', start))
    const reserved = [...reservedText.matchAll(/`([^`]+)`/g)].map((m) => m[1])
    assert.deepEqual(reserved, RESERVED)
  })

  it('§6.1 every denylisted customer_id is accepted and not processed, with the reason, on every ingest endpoint', async (t) => {
    const app = await createTestApp(t)
    for (const id of DENYLIST.filter((d) => d !== '')) {
      const bodies: [string, unknown][] = [
        [
          `/v1/customer/${WORKSPACE_ID}`,
          { type: 'customer', customer_id: id, attributes: { a: 1 } },
        ],
        [
          `/v1/event/${WORKSPACE_ID}`,
          { type: 'event', customer_id: id, actions: [{ action: 'A' }] },
        ],
        [
          `/v1/device/${WORKSPACE_ID}`,
          {
            type: 'device',
            customer_id: id,
            device_id: `d-${id}`,
            attributes: { platform: 'web', push_id: 'p' },
          },
        ],
        [
          `/v1/transition/${WORKSPACE_ID}`,
          { type: 'transition', elements: [{ type: 'customer', customer_id: id }] },
        ],
      ]
      for (const [url, body] of bodies) {
        const res = await app.post(url, body)
        assert.equal(res.statusCode, 200, `${url} ${id}: ${res.body}`)
        const [record] = (await app.inspect(requestIdOf(res))).records
        assert.equal(record?.outcome, 'skipped', `${url} ${id}`)
        assert.equal(
          record?.reason,
          `customer_id '${id}' is on MoEngage's list of ids that are not allowed (spec §6.1)`,
        )
      }
    }
    await app.drain()
    assert.deepEqual(
      await app.store.profiles.findUsers(WORKSPACE_ID, { customerIds: DENYLIST, ids: [] }),
      [],
      'no user was created for any of them',
    )
  })

  it('§6.1 the empty id of the denylist is the documented 400', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
      type: 'customer',
      customer_id: '',
    })
    assert.equal(res.statusCode, 400)
    assert.equal(
      res.json<{ error: { message: string } }>().error.message,
      'customer_id can not be empty Unicode String',
    )
  })

  it('§8.1 every reserved keyword is dropped with a note, except source (stored by choice)', async (t) => {
    const app = await createTestApp(t)
    const attributes = Object.fromEntries(RESERVED.map((k) => [k, 'v']))
    const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
      type: 'customer',
      customer_id: 'reserved',
      attributes: { ...attributes, kept: 1 },
    })
    assert.equal(res.statusCode, 200)
    const user = await app.getUser('reserved')
    assert.deepEqual(
      Object.keys(user ?? {})
        .filter((k) => !['created_time', 'customer_id', 'id'].includes(k))
        .sort(),
      ['kept', 'source'],
    )
    const [record] = (await app.inspect(requestIdOf(res))).records
    assert.equal(record?.outcome, 'applied')
    assert.deepEqual(
      record?.notes,
      RESERVED.filter((k) => k !== 'source').map(
        (k) => `'${k}' is a reserved keyword and is not stored (spec §8.1)`,
      ),
    )
  })
})
