/**
 * Conformance: the lists the spec spells out in full — the §6.1 `customer_id` denylist and the
 * §8.1 reserved user-attribute keywords — read from the spec text (its copy in
 * test/fixtures/moengage/), each entry sent through the API.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp } from '../helpers/app.js'
import {
  BULK,
  DEVICE,
  EVENT,
  TRACK,
  assertRefusal,
  missing,
  requestIdOf,
} from '../helpers/data-api.js'

const SPEC = readFileSync(
  new URL('../fixtures/moengage/moengage-data-api.md', import.meta.url),
  'utf8',
)

/**
 * spec §6.1: the denylist, read from the spec's own line (`'unknown', 'guest', …`), so the test
 * sends exactly what the spec lists and fails if its copy in test/fixtures/ changes.
 */
const DENYLIST: string[] = (() => {
  const line = SPEC.split('\n').find((l) => l.trim().startsWith("`'unknown', 'guest'"))
  return line === undefined ? [] : [...line.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '')
})()

/** spec §8.1: the reserved user-attribute keywords (the clean list), read from the spec. */
const RESERVED: string[] = (() => {
  const start = SPEC.indexOf('Reserved user-attribute keywords')
  if (start === -1) return []
  const text = SPEC.slice(start, SPEC.indexOf('(clean list', start))
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '')
})()

describe('the spec’s own lists', () => {
  it('finds the lists in the spec, whole', () => {
    // §6.1 lists 22 ids (the empty one among them), §8.1 21 keywords: a spec whose wording moved
    // would read as fewer here, and every test below would check less without failing.
    assert.equal(DENYLIST.length, 22, DENYLIST.join(', '))
    assert.ok(DENYLIST.includes('') && DENYLIST.includes('unknown') && DENYLIST.includes('2'))
    assert.equal(RESERVED.length, 21, RESERVED.join(', '))
    assert.ok(RESERVED.includes('USER_ATTRIBUTE_UNIQUE_ID') && RESERVED.includes('source'))
  })

  it('§6.1 every denylisted customer_id is accepted and not processed, with the reason, on every ingest endpoint', async (t) => {
    const app = await createTestApp(t)
    for (const id of DENYLIST.filter((d) => d !== '')) {
      const bodies: [string, unknown][] = [
        [TRACK, { type: 'customer', customer_id: id, attributes: { a: 1 } }],
        [EVENT, { type: 'event', customer_id: id, actions: [{ action: 'A' }] }],
        [
          DEVICE,
          {
            type: 'device',
            customer_id: id,
            device_id: `d-${id}`,
            attributes: { platform: 'web', push_id: 'p' },
          },
        ],
        [BULK, { type: 'transition', elements: [{ type: 'customer', customer_id: id }] }],
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
    const res = await app.post(TRACK, { type: 'customer', customer_id: '' })
    assertRefusal(res, missing('customer_id', 'customer_id can not be empty Unicode String'))
  })

  it('§8.1 every reserved keyword is dropped with a note, except source (stored by choice)', async (t) => {
    const app = await createTestApp(t)
    const attributes = Object.fromEntries(RESERVED.map((k) => [k, 'v']))
    const res = await app.post(TRACK, {
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
