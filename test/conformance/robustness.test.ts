/**
 * Bad input never crashes anything: bodies built from the documented keys with values of every JSON
 * type (seeded, so a failure replays) are sent to every ingest endpoint and Get User. Each answer is
 * a 200 or a documented 4xx — never a 500 — and every accepted record is then applied or skipped
 * with a reason, never `dead`.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp } from '../helpers/app.js'
import { seededRandom } from '../helpers/random.js'

const STRINGS = [
  '',
  ' ',
  'john',
  'guest',
  'Customer',
  'customer',
  'event',
  'device',
  'ANDROID',
  'ios',
  'TV',
  'web',
  'true',
  'false',
  '2020-05-31T16:33:35Z',
  '2021-02-30',
  '1708939453396',
  '99999999999999999999',
  'x'.repeat(600),
  `https://x.io/${'p'.repeat(600)}`,
  '__proto__',
  'constructor',
  'moe_x',
  'status',
  'u_fn',
  'first_name',
  'equals',
  'prefix',
  '💥',
  '\u0000',
]

function value(rand: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  switch (Math.floor(rand() * (depth > 2 ? 5 : 8))) {
    case 0:
      return null
    case 1:
      return rand() < 0.5
    case 2:
      return pick([0, -1, 1.5, 1e12, 1e300, -54001, 19800, Number.MAX_SAFE_INTEGER])
    case 3:
    case 4:
      return pick(STRINGS)
    case 5:
      return Array.from({ length: Math.floor(rand() * 4) }, () => value(rand, depth + 1))
    default: {
      const out: Record<string, unknown> = {}
      for (let i = Math.floor(rand() * 4); i > 0; i--) {
        Object.defineProperty(out, pick([...KEYS, ...STRINGS]), {
          value: value(rand, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        })
      }
      return out
    }
  }
}

/** Every key the ingest bodies, their attributes and Get User document. */
const KEYS = [
  'type',
  'customer_id',
  'update_existing_only',
  'attributes',
  'platforms',
  'platform',
  'active',
  'unset_attributes',
  'attr',
  'case_sensitive',
  'addValueToArrayField',
  'removeValueFromArrayField',
  'device_id',
  'actions',
  'action',
  'user_time',
  'current_time',
  'user_timezone_offset',
  'moe_os_type',
  'app_version',
  'push_id',
  'moe_gaid',
  'idfv',
  'elements',
  'data',
  'identifiers',
  'identifier_type',
  'identifier',
  'user_fields_to_export',
  'user_identifiers',
  'created_time',
  'birthday',
]

/** A body of the endpoint's shape with random values, sometimes with a random key replaced. */
function body(rand: () => number, template: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = structuredClone(template)
  for (const key of Object.keys(out)) if (rand() < 0.4) out[key] = value(rand, 0)
  if (rand() < 0.3) out[KEYS[Math.floor(rand() * KEYS.length)] ?? 'type'] = value(rand, 0)
  return out
}

const TEMPLATES: [string, Record<string, unknown>][] = [
  [
    `/v1/customer/${WORKSPACE_ID}`,
    { type: 'customer', customer_id: 'john', attributes: { a: 1 }, unset_attributes: [] },
  ],
  [
    `/v1/event/${WORKSPACE_ID}`,
    {
      type: 'event',
      customer_id: 'john',
      actions: [{ action: 'A', attributes: { a: 1 }, current_time: 1, user_timezone_offset: 0 }],
    },
  ],
  [
    `/v1/device/${WORKSPACE_ID}`,
    {
      type: 'device',
      customer_id: 'john',
      device_id: 'd1',
      attributes: { platform: 'ANDROID', push_id: 'p' },
    },
  ],
  [
    `/v1/transition/${WORKSPACE_ID}`,
    {
      type: 'transition',
      elements: [
        { type: 'customer', customer_id: 'john', attributes: { a: 1 } },
        { type: 'event', customer_id: 'john', actions: [{ action: 'A' }] },
      ],
    },
  ],
  [
    `/v1/customers/export?app_id=${WORKSPACE_ID}`,
    { data: { identifiers: [{ identifier_type: 'customer_id', identifier: 'john' }] } },
  ],
]

describe('bad input', () => {
  it('never answers 500 and never leaves a dead record', async (t) => {
    const app = await createTestApp(t)
    const rand = seededRandom(20261201)
    const statuses = new Map<number, number>()
    for (let round = 0; round < 120; round++) {
      for (const [url, template] of TEMPLATES) {
        const sent = body(rand, template)
        const res = await app.post(url, sent)
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        assert.ok(
          res.statusCode === 200 || res.statusCode === 400,
          `${url} ${JSON.stringify(sent).slice(0, 300)}: ${res.statusCode} ${res.body}`,
        )
        assert.equal(
          res.json<{ status: string }>().status,
          res.statusCode === 200 ? 'success' : 'fail',
        )
      }
    }
    await app.drain()
    assert.equal(app.processor.stats().dead, 0, 'no record died')
    assert.ok(
      (statuses.get(200) ?? 0) > 50,
      `some bodies were accepted: ${JSON.stringify([...statuses])}`,
    )
    assert.ok(
      (statuses.get(400) ?? 0) > 50,
      `some bodies were refused: ${JSON.stringify([...statuses])}`,
    )
  })
})
