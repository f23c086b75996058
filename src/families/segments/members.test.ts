/**
 * Inlet's member reads of a segment: the count, pages in a stable order with an opaque cursor,
 * the attributes asked for, CSV and JSON-lines exports streamed over many pages, a referenced
 * segment's update showing at once, bad queries refused — and no trace of a user that was erased
 * or deleted, in a page, a count or an export.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  WORKSPACE_ID,
  START_TIME,
  appKeyRequest,
  createTestApp,
  type TestApp,
} from '../../../test/helpers/app.js'
import { batchChanges } from '../../../test/helpers/batches.js'
import { DELETE, EVENT, GDPR, TRACK, customer, erasure } from '../../../test/helpers/data-api.js'
import {
  aSegmentBody,
  aSegmentReference,
  anActionFilter,
  anAttributeFilter,
  filterGroup,
  type Json,
} from '../../../test/helpers/segments.js'

const SEGMENTS = '/v3/custom-segments'

type Member = {
  id: string
  customer_id: string | null
  created_time: string
  updated_time: string
  attributes: Json
}
type Page = { data: Member[]; next_cursor: string | null; response_id: string; type: string }

const USERS: Record<string, Json> = {
  ann: { plan: 'gold', email: 'ann@example.com', name: 'Ann, "the first"' },
  bob: { plan: 'gold', email: 'bob@example.com' },
  cy: { plan: 'silver', email: 'cy@example.com' },
  dee: { plan: 'GOLD', tags: ['a', 'b'] },
}

async function membersApp(t: TestContext, env: Record<string, string> = {}): Promise<TestApp> {
  const app = await createTestApp(t, env)
  for (const [id, attributes] of Object.entries(USERS)) {
    assert.equal((await app.post(TRACK, customer(id, attributes))).statusCode, 200)
  }
  await app.post(EVENT, {
    type: 'event',
    customer_id: 'bob',
    actions: [{ action: 'Purchased' }, { action: 'Purchased' }, { action: 'Purchased' }],
  })
  await app.drain()
  return app
}

async function segmentId(app: TestApp, name: string, ...filters: unknown[]): Promise<string> {
  const res = await appKeyRequest(app, 'POST', SEGMENTS, aSegmentBody(name, ...filters))
  assert.equal(res.statusCode, 201, res.body)
  return String(res.json<{ data: Json }>().data['id'])
}

async function count(app: TestApp, id: string): Promise<number> {
  const res = await appKeyRequest(app, 'GET', `${SEGMENTS}/${id}/count`)
  assert.equal(res.statusCode, 200, res.body)
  return Number(res.json<{ data: Json }>().data['count'])
}

async function page(app: TestApp, id: string, query = ''): Promise<Page> {
  const res = await appKeyRequest(app, 'GET', `${SEGMENTS}/${id}/users${query}`)
  assert.equal(res.statusCode, 200, res.body)
  return res.json<Page>()
}

/** Every member's customer_id, page after page of `limit`. */
async function allMembers(app: TestApp, id: string, limit: number): Promise<(string | null)[]> {
  const out: (string | null)[] = []
  let cursor: string | null = ''
  while (cursor !== null) {
    const p = await page(
      app,
      id,
      `?limit=${limit}${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    )
    out.push(...p.data.map((m) => m.customer_id))
    cursor = p.next_cursor
  }
  return out
}

describe('segment members', () => {
  it('counts members and pages them in a stable order with an opaque cursor', async (t) => {
    const app = await membersApp(t)
    const gold = await segmentId(app, 'gold', anAttributeFilter())
    const res = await appKeyRequest(app, 'GET', `${SEGMENTS}/${gold}/count`)
    assert.deepEqual(res.json(), {
      data: { id: gold, name: 'gold', count: 3 },
      response_id: res.json<{ response_id: string }>().response_id,
      type: 'custom_segment',
    })
    const first = await page(app, gold, '?limit=2')
    assert.equal(first.type, 'custom_segment')
    assert.equal(first.data.length, 2)
    assert.notEqual(first.next_cursor, null)
    assert.ok(first.data[0] !== undefined && first.data[1] !== undefined)
    assert.ok(first.data[0].id < first.data[1].id)
    assert.deepEqual((await allMembers(app, gold, 2)).sort(), ['ann', 'bob', 'dee'])
    assert.deepEqual(await allMembers(app, gold, 1), await allMembers(app, gold, 1000))
    const ann = (await page(app, gold)).data.find((m) => m.customer_id === 'ann')
    assert.deepEqual(ann, {
      id: ann?.id,
      customer_id: 'ann',
      created_time: new Date(START_TIME).toISOString(),
      updated_time: new Date(START_TIME).toISOString(),
      attributes: ann?.attributes,
    })
    assert.equal(ann?.attributes['plan'], 'gold')
    // An action filter: Bob bought three times.
    const buyers = await segmentId(app, 'buyers', anActionFilter())
    assert.deepEqual(await allMembers(app, buyers, 10), ['bob'])
  })

  it('answers the attributes asked for, under the names asked', async (t) => {
    const app = await membersApp(t)
    const gold = await segmentId(app, 'gold', anAttributeFilter())
    const p = await page(app, gold, '?fields=Email,ID,plan,nosuch')
    const bob = p.data.find((m) => m.customer_id === 'bob')
    assert.deepEqual(bob?.attributes, { Email: 'bob@example.com', ID: 'bob', plan: 'gold' })
    const none = await page(app, gold, '?fields=')
    assert.deepEqual(
      none.data.map((m) => m.attributes),
      [{}, {}, {}],
    )
  })

  it('exports every member as CSV and as JSON lines', async (t) => {
    const app = await membersApp(t)
    const gold = await segmentId(app, 'gold', anAttributeFilter())
    const csv = await appKeyRequest(
      app,
      'GET',
      `${SEGMENTS}/${gold}/users?format=csv&fields=ID,name`,
    )
    assert.equal(csv.statusCode, 200, csv.body)
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
    assert.equal(csv.headers['content-disposition'], `attachment; filename="segment-${gold}.csv"`)
    const lines = csv.body.split('\r\n')
    assert.equal(lines[0], 'id,customer_id,created_time,updated_time,ID,name')
    assert.equal(lines.at(-1), '')
    assert.equal(lines.length, 5)
    const annLine = lines.find((l) => l.includes(',ann,'))
    assert.match(annLine ?? '', /,ann,"Ann, ""the first"""$/)
    const jsonl = await appKeyRequest(app, 'GET', `${SEGMENTS}/${gold}/users?format=jsonl`)
    assert.equal(jsonl.headers['content-type'], 'application/x-ndjson; charset=utf-8')
    const members = jsonl.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Member)
    assert.deepEqual(members, (await page(app, gold)).data)
    // Without fields, the CSV holds every attribute as JSON in one column.
    const all = await appKeyRequest(app, 'GET', `${SEGMENTS}/${gold}/users?format=csv`)
    assert.equal(all.body.split('\r\n')[0], 'id,customer_id,created_time,updated_time,attributes')
    assert.match(all.body, /,dee,.*,"\{.*""plan"":""GOLD"",""tags"":\[""a"",""b""\]\}"\r\n/)
  })

  it('streams an export of many pages, each member once', async (t) => {
    const app = await createTestApp(t)
    const users = Array.from({ length: 2_345 }, (_, i) => ({
      workspaceId: WORKSPACE_ID,
      id: i.toString(16).padStart(24, '0'),
      customerId: `c${i}`,
      attributes: { plan: i % 3 === 0 ? 'silver' : 'gold' },
      createdAt: START_TIME,
      updatedAt: START_TIME,
    }))
    await app.store.processing.commit(batchChanges({ users }))
    const gold = await segmentId(app, 'gold', anAttributeFilter())
    assert.equal(await count(app, gold), 1_563)
    const res = await appKeyRequest(app, 'GET', `${SEGMENTS}/${gold}/users?format=jsonl&fields=`)
    const ids = res.body
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as Member).customer_id)
    assert.equal(ids.length, 1_563)
    assert.equal(new Set(ids).size, 1_563)
    assert.ok(ids.every((id) => Number(id?.slice(1)) % 3 !== 0))
  })

  it('reads a referenced segment as it is now', async (t) => {
    const app = await membersApp(t)
    const gold = await segmentId(app, 'gold', anAttributeFilter())
    const ref = await segmentId(app, 'ref', aSegmentReference(gold))
    assert.equal(await count(app, ref), 3)
    const res = await appKeyRequest(app, 'PATCH', `${SEGMENTS}/${gold}`, {
      included_filters: filterGroup(anAttributeFilter({ value: ['silver'] })),
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(await count(app, ref), 1)
    assert.deepEqual(await allMembers(app, ref, 10), ['cy'])
  })

  it('refuses queries that are not one, and unknown segments', async (t) => {
    const app = await membersApp(t)
    const gold = await segmentId(app, 'gold', anAttributeFilter())
    for (const query of [
      '?limit=0',
      '?limit=1001',
      '?limit=ten',
      '?cursor=nonsense',
      '?cursor=bTE6',
      '?format=xml',
      '?format=csv&limit=10',
      '?format=jsonl&cursor=bTE6eA',
    ]) {
      const res = await appKeyRequest(app, 'GET', `${SEGMENTS}/${gold}/users${query}`)
      assert.equal(res.statusCode, 400, query)
      assert.equal(res.json<{ error: Json }>().error['code'], 'Invalid request', query)
    }
    for (const url of [`${SEGMENTS}/nosuch/users`, `${SEGMENTS}/nosuch/count`]) {
      const res = await appKeyRequest(app, 'GET', url)
      assert.equal(res.statusCode, 404)
    }
  })
})

describe('segment members after erasure and deletion', () => {
  it('leaves no trace of an erased user in a page, a count or an export', async (t) => {
    const app = await membersApp(t)
    const gold = await segmentId(app, 'gold', anAttributeFilter())
    const buyers = await segmentId(app, 'buyers', anActionFilter())
    const before = await appKeyRequest(app, 'GET', `${SEGMENTS}/${gold}/users?format=csv`)
    assert.match(before.body, /bob@example\.com/) // the test can fail
    const res = await app.post(GDPR, erasure('email', 'bob@example.com'))
    assert.equal(res.statusCode, 200, res.body)
    await app.drain()
    assert.equal(await count(app, gold), 2)
    assert.equal(await count(app, buyers), 0)
    assert.deepEqual((await allMembers(app, gold, 10)).sort(), ['ann', 'dee'])
    for (const format of ['csv', 'jsonl']) {
      const exported = await appKeyRequest(app, 'GET', `${SEGMENTS}/${gold}/users?format=${format}`)
      assert.doesNotMatch(exported.body, /bob/)
    }
  })

  it('leaves no trace of a deleted user', async (t) => {
    const app = await membersApp(t, { INLET_DELETE_BUFFER_SECONDS: '0' })
    const gold = await segmentId(app, 'gold', anAttributeFilter())
    const res = await app.post(DELETE, { identity_type: 'customer_id', identity_value: 'ann' })
    assert.equal(res.statusCode, 200, res.body)
    await app.drain()
    assert.deepEqual((await allMembers(app, gold, 10)).sort(), ['bob', 'dee'])
    const exported = await appKeyRequest(app, 'GET', `${SEGMENTS}/${gold}/users?format=jsonl`)
    assert.doesNotMatch(exported.body, /ann/)
  })
})
