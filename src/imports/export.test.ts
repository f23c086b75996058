// exportRows over both real stores (SQLite, and PostgreSQL when there is one): keyset pages of
// the asked size, each written before the next is read (so memory holds one page, however many
// rows), JSON lines in the shapes import reads, and CSV with the union of attribute names.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it, type TestContext } from 'node:test'
import { WORKSPACE_ID, createTestAppOn, type TestApp } from '../../test/helpers/app.js'
import { startPostgres } from '../../test/helpers/postgres.js'
import { exportRows } from './export.js'

const postgres = await startPostgres()
const KINDS = ['sqlite', 'postgres'] as const

const appOn = (t: TestContext, kind: (typeof KINDS)[number]): Promise<TestApp> =>
  createTestAppOn(t, kind, postgres)

const skip = (kind: string) =>
  kind === 'postgres' && postgres === undefined ? { skip: 'no PostgreSQL' } : {}

/** A sink that records its text and, for each write, how many pages had been read by then. */
function sink(pagesRead: () => number) {
  const chunks: { text: string; pagesRead: number }[] = []
  const out = new Writable({
    highWaterMark: 64, // tiny: every page waits for 'drain'
    write(chunk: Buffer, _encoding, done) {
      chunks.push({ text: chunk.toString('utf8'), pagesRead: pagesRead() })
      setImmediate(done)
    },
  })
  return { out, chunks, text: () => chunks.map((c) => c.text).join('') }
}

describe('exportRows', () => {
  for (const kind of KINDS) {
    it(
      `reads users a page at a time, writing each page before reading the next (${kind})`,
      skip(kind),
      async (t) => {
        const app = await appOn(t, kind)
        const elements = Array.from({ length: 250 }, (_, i) => ({
          type: 'customer',
          customer_id: `c${i}`,
          attributes: { n: i, ...(i % 2 === 0 ? { even: true } : { note: 'a "quoted", text' }) },
        }))
        const res = await app.post(`/v1/transition/${WORKSPACE_ID}`, {
          type: 'transition',
          elements,
        })
        assert.equal(res.statusCode, 200)
        await app.drain()
        const limits: number[] = []
        const profiles = {
          ...app.store.profiles,
          usersPage: (ws: string, after: string, limit: number) => {
            limits.push(limit)
            return app.store.profiles.usersPage(ws, after, limit)
          },
        }
        const { out, chunks, text } = sink(() => limits.length)
        const rows = await exportRows(
          profiles,
          { workspaceId: WORKSPACE_ID, kind: 'users', format: 'jsonl', pageSize: 40 },
          out,
        )
        assert.equal(rows, 250)
        assert.deepEqual(limits, Array<number>(7).fill(40), '250 users in pages of 40: 7 reads')
        assert.equal(
          chunks[0]?.pagesRead,
          1,
          'the first page was written before the second was read',
        )
        const users = text()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { customer_id: string; attributes: Record<string, unknown> })
        assert.equal(new Set(users.map((u) => u.customer_id)).size, 250)
        assert.equal(
          users.find((u) => u.customer_id === 'c7')?.attributes['note'],
          'a "quoted", text',
        )

        limits.length = 0
        const csv = sink(() => limits.length)
        await exportRows(
          profiles,
          { workspaceId: WORKSPACE_ID, kind: 'users', format: 'csv', pageSize: 100 },
          csv.out,
        )
        assert.equal(limits.length, 6, 'two passes of three pages: the columns, then the rows')
        const [header, ...lines] = csv.text().trim().split('\r\n')
        assert.equal(
          header,
          'customer_id,moengage_id,created_at,updated_at,created_time,even,n,note',
        )
        assert.equal(lines.length, 250)
        assert.ok(lines.some((l) => l.startsWith('c7,') && l.endsWith(',,7,"a ""quoted"", text"')))
      },
    )

    it(
      `pages events by time and seq with their customer ids, as Create Event bodies (${kind})`,
      skip(kind),
      async (t) => {
        const app = await appOn(t, kind)
        const elements = Array.from({ length: 30 }, (_, i) => ({
          type: 'event',
          customer_id: `c${i % 3}`,
          actions: [{ action: 'Step', current_time: 1_700_000_000 + (i % 5), attributes: { i } }],
        }))
        await app.post(`/v1/transition/${WORKSPACE_ID}`, { type: 'transition', elements })
        await app.drain()
        const { out, text } = sink(() => 0)
        const rows = await exportRows(
          app.store.profiles,
          { workspaceId: WORKSPACE_ID, kind: 'events', format: 'jsonl', pageSize: 7 },
          out,
        )
        assert.equal(rows, 30)
        const events = text()
          .trim()
          .split('\n')
          .map(
            (l) =>
              JSON.parse(l) as {
                customer_id: string
                actions: { action: string; current_time: string; attributes: { i: number } }[]
              },
          )
        assert.deepEqual(
          events.map((e) => e.actions[0]?.attributes.i).sort((a, b) => a! - b!),
          [...Array(30).keys()],
        )
        const times = events.map((e) => e.actions[0]?.current_time ?? '')
        assert.deepEqual(times, [...times].sort(), 'in event-time order')
        assert.equal(events[0]?.customer_id, 'c0')
      },
    )
  }
})
