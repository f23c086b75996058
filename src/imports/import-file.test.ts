// importFile against the real Inlet in-process (test/helpers/app.ts), the client SDK's fetch routed
// to app.inject: CSV and JSON-lines files of users and events, types inferred, rejects reported
// with reasons, and a run that dies after a body was sent but before its answer was read resumed
// with no duplicate and no missing event.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { API_KEY, WORKSPACE_ID, createTestApp, type TestApp } from '../../test/helpers/app.js'
import { DataApiClient, type FetchLike } from '../client/index.js'
import { importFile, type ImportSettings } from './import-file.js'

function dir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'inlet-import-'))
  t.after(() => rmSync(d, { recursive: true, force: true }))
  return d
}

/** A client of the in-process app: its fetch is app.inject. */
function clientOf(app: TestApp): DataApiClient {
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input)
    const res = await app.app.inject({
      method: init.method as 'POST',
      url: url.pathname + url.search,
      headers: init.headers as Record<string, string>,
      payload: init.body as string,
    })
    const headers = new Headers()
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, String(v))
    return new Response(res.body, { status: res.statusCode, headers })
  }
  return new DataApiClient({ baseUrl: 'http://inlet.test' }, WORKSPACE_ID, API_KEY, { fetch })
}

let ids = 0
const settingsOf = (file: string, extra: Partial<ImportSettings> = {}): ImportSettings => ({
  file,
  workspaceId: WORKSPACE_ID,
  newImportId: () => `imp-test-${String(++ids).padStart(8, '0')}`,
  ...extra,
})

const rejectsOf = (file: string): { row: number; reason: string }[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { row: number; reason: string })

async function eventsOf(app: TestApp, customerId: string) {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: [customerId],
    ids: [],
  })
  return user === undefined ? [] : app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 10_000)
}

describe('importFile', () => {
  it('imports a CSV of users, typing cells as MoEngage does, and reports rejected rows', async (t) => {
    const app = await createTestApp(t)
    const d = dir(t)
    const file = join(d, 'users.csv')
    writeFileSync(
      file,
      '\uFEFFcustomer_id,first_name,points,ratio,vip,zip,joined,signup\r\n' +
        'ada,Ada,20,1.5,true,007,2024-01-02T03:04:05Z,2024-01-02 10:00:00+01:00\n' +
        ',Nobody,1,1,false,1,2024-01-01,2024-01-01\n' +
        '"bob, jr",Bob,,,FALSE,+1,2024-13-01,1700000000\n' +
        'carol,Carol\n' +
        'dave,Dave,3,2,true,9,x,not a date\n',
    )
    const summary = await importFile(
      settingsOf(file, { datetimeColumns: ['signup'], batchRecords: 2 }),
      clientOf(app),
    )
    assert.deepEqual(
      { type: summary.type, rows: summary.rows, accepted: summary.accepted },
      { type: 'users', rows: 5, accepted: 1 + 1 },
    )
    assert.deepEqual(
      rejectsOf(summary.rejectsFile).map((r) => [r.row, r.reason]),
      [
        [2, 'customer_id is empty or missing'],
        [4, 'the row has 2 cells; the header has 8'],
        [5, 'column signup: "not a date" is not a datetime'],
      ],
    )
    const ada = await app.getUser('ada')
    assert.equal(ada?.['first_name'], 'Ada')
    assert.equal(ada?.['points'], 20)
    assert.equal(ada?.['ratio'], 1.5)
    assert.equal(ada?.['vip'], true)
    assert.equal(ada?.['zip'], '007', 'a leading zero keeps a code text')
    assert.equal(ada?.['joined'], '2024-01-02T03:04:05.000Z')
    assert.equal(ada?.['signup'], '2024-01-02T09:00:00.000Z', 'a --datetime-columns value in UTC')
    const bob = await app.getUser('bob, jr')
    assert.equal(bob?.['vip'], false)
    assert.equal(bob?.['zip'], '+1')
    assert.equal(bob?.['joined'], '2024-13-01', 'no such date: text')
    assert.equal(bob?.['signup'], '2023-11-14T22:13:20.000Z', 'epoch seconds')
    assert.equal(Object.hasOwn(bob ?? {}, 'points'), false, 'an empty cell sets nothing')
    assert.equal(app.store.kind, 'sqlite')
    assert.equal(rejectsOf(summary.rejectsFile).length, summary.rejected)
  })

  it('imports JSON lines of events, flat and as Create Event bodies, and infers the type', async (t) => {
    const app = await createTestApp(t)
    const file = join(dir(t), 'events.jsonl')
    writeFileSync(
      file,
      [
        '{"customer_id":"ada","action":"Bought","current_time":1700000000,"price":9.5,"sku":"A1"}',
        '',
        '{"customer_id":"ada","actions":[{"action":"Viewed","attributes":{"page":"home"}}]}',
        'not json',
        '{"customer_id":"ada","action":"","x":1}',
        '{"customer_id":"ada","action":"Late","current_time":"yesterday"}',
        '[1,2]',
        '{"customer_id":42,"action":"Numbered","attributes":{"n":1}}',
      ].join('\n'),
    )
    const summary = await importFile(settingsOf(file), clientOf(app))
    assert.equal(summary.type, 'events')
    assert.deepEqual(
      rejectsOf(summary.rejectsFile).map((r) => r.row),
      [3, 4, 5, 6],
    )
    const events = await eventsOf(app, 'ada')
    assert.deepEqual(events.map((e) => e.name).sort(), ['Bought', 'Viewed'])
    const bought = events.find((e) => e.name === 'Bought')
    assert.equal(bought?.eventTime, 1_700_000_000_000)
    assert.deepEqual(bought?.attributes, { price: 9.5, sku: 'A1' })
    assert.equal((await eventsOf(app, '42')).length, 1)
    // A second run finds the import done and sends nothing.
    const again = await importFile(settingsOf(file), clientOf(app))
    assert.equal(again.alreadyDone, true)
    assert.equal((await eventsOf(app, 'ada')).length, 2)
  })

  it('resumes a run that died after sending a body, before its answer: no event twice, none missing', async (t) => {
    const app = await createTestApp(t)
    const d = dir(t)
    const file = join(d, 'events.csv')
    const rows = 1000
    const lines = ['customer_id,action,n']
    for (let n = 1; n <= rows; n++) {
      lines.push(n % 97 === 0 ? `,Bad,${n}` : `user-${n % 10},Step,${n}`)
    }
    writeFileSync(file, lines.join('\n') + '\n')
    const real = clientOf(app)
    let calls = 0
    // Dies on the 4th body after the server logged it: the checkpoint is at the 3rd.
    const dying = {
      bulkImport: async (...args: Parameters<DataApiClient['bulkImport']>) => {
        const answer = await real.bulkImport(...args)
        if (++calls === 4) throw new Error('killed')
        return answer
      },
    }
    const settings = settingsOf(file, { batchRecords: 64 })
    await assert.rejects(importFile(settings, dying), /killed/)
    const checkpoint = JSON.parse(readFileSync(`${file}.checkpoint.json`, 'utf8')) as {
      rows: number
      batches: number
    }
    assert.equal(checkpoint.batches, 3)
    const summary = await importFile(settings, real)
    assert.equal(summary.resumedAt, checkpoint.rows)
    const bad = Math.floor(rows / 97)
    assert.deepEqual([summary.rows, summary.accepted, summary.rejected], [rows, rows - bad, bad])
    assert.deepEqual(
      rejectsOf(summary.rejectsFile).map((r) => r.row),
      Array.from({ length: bad }, (_, i) => 97 * (i + 1)),
      'each rejected row reported once, though the dead run had reported some',
    )
    const seen: number[] = []
    for (let u = 0; u < 10; u++) {
      for (const e of await eventsOf(app, `user-${u}`)) seen.push(Number(e.attributes['n']))
    }
    seen.sort((a, b) => a - b)
    const expected = Array.from({ length: rows }, (_, i) => i + 1).filter((n) => n % 97 !== 0)
    assert.deepEqual(seen, expected)
  })

  it('halves a body the API refuses down to the row at fault, rejected with the API’s reason', async (t) => {
    const app = await createTestApp(t, { INLET_ADMIN_TOKEN: 'admin-token-0001' })
    const strict = await app.app.inject({
      method: 'POST',
      url: `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`,
      headers: { authorization: 'Bearer admin-token-0001', 'content-type': 'application/json' },
      payload: { settings: { bulkStrictElementValidation: true } },
    })
    assert.equal(strict.statusCode, 200, strict.body)
    const file = join(dir(t), 'users.jsonl')
    const good = (n: number) => JSON.stringify({ customer_id: `u${n}`, attributes: { n } })
    writeFileSync(
      file,
      [
        good(1),
        good(2),
        JSON.stringify({ customer_id: 'u3', attributes: {}, unset_attributes: [{ type: 'no' }] }),
        good(4),
        good(5),
      ].join('\n') + '\n',
    )
    const summary = await importFile(settingsOf(file), clientOf(app))
    assert.deepEqual([summary.accepted, summary.rejected], [4, 1])
    const [reject] = rejectsOf(summary.rejectsFile)
    assert.equal(reject?.row, 3)
    assert.match(reject?.reason ?? '', /^400 /)
    assert.equal((await app.getUser('u5'))?.['n'], 5)
  })

  it('refuses a file changed since its checkpoint, and a header without the id column', async (t) => {
    const app = await createTestApp(t)
    const file = join(dir(t), 'users.csv')
    writeFileSync(file, 'customer_id,a\nx,1\n')
    await importFile(settingsOf(file), clientOf(app))
    writeFileSync(file, 'customer_id,a\nx,1\ny,2\n')
    await assert.rejects(
      importFile(settingsOf(file), clientOf(app)),
      /changed since its checkpoint/,
    )
    const restarted = await importFile(settingsOf(file, { restart: true }), clientOf(app))
    assert.equal(restarted.accepted, 2)
    writeFileSync(file, 'id,a\nx,1\n')
    await assert.rejects(
      importFile(settingsOf(file, { restart: true }), clientOf(app)),
      /no column customer_id/,
    )
  })
})
