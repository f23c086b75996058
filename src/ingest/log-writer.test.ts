// The log writer thread on a real data directory: appends posted by this thread are committed by
// the worker's own connection in the order posted, a failed commit rejects only its own append,
// and close() ends the worker after what was posted.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { sqliteStoreOnDisk } from '../../test/helpers/sqlite.js'
import { createMemoryLogger } from '../core/log.js'
import { BULK_ROW_KIND, RECORD_KINDS, type NewLogRecord } from '../store/store.js'
import { packBatch, startLogWriterWorker, unpackBatch } from './log-writer.js'

const record = (requestId: string, index: number): NewLogRecord => ({
  workspaceId: 'WRITERWS',
  requestId,
  index,
  kind: index % 2 === 0 ? 'event' : 'customer',
  customerId: index % 3 === 0 ? null : `c${index}`,
  receivedAt: 1_700_000_000_000,
  payload: JSON.stringify({ n: index, text: 'é "quoted"' }),
  api: 'event',
})

it('packs and unpacks group commits exactly', () => {
  const records = [
    ...Array.from({ length: 5 }, (_, i) => record('R1', i)),
    ...Array.from({ length: 3 }, (_, i) => record('R2', i)),
    { ...record('R3', 4), kind: 'device_opt_out' as const },
    { ...record('R3', 6), kind: 'merge_undo' as const }, // not consecutive: a run of its own
    { ...record('R3', 7), api: 'inlet' }, // another API: a run of its own
  ]
  const packed = packBatch(records)
  assert.equal(typeof packed.payloads, 'string', 'payloads posted as one string')
  assert.equal(packed.runs.length, 5 * 6)
  assert.deepEqual(unpackBatch(packed), records)
  // A payload with a raw NUL (not from JSON.stringify) cannot be joined: posted as a list.
  const odd = [record('R4', 0), { ...record('R4', 1), payload: 'a\u0000b' }]
  assert.ok(Array.isArray(packBatch(odd).payloads))
  assert.deepEqual(unpackBatch(packBatch(odd)), odd)
  assert.deepEqual(unpackBatch(packBatch([])), [])
})

it('keeps every record kind through a pack (a GDPR erasure stays an erasure)', () => {
  const records = RECORD_KINDS.map((kind, i) => ({ ...record('R5', i), kind }))
  assert.deepEqual(
    unpackBatch(packBatch(records)).map((r) => r.kind),
    [...RECORD_KINDS],
  )
  // A Bulk row keeps its kind and how many records it holds, among ordinary records.
  const bulk: NewLogRecord = { ...record('R7', 0), kind: BULK_ROW_KIND, records: 552 }
  const mixed = [record('R6', 0), bulk, record('R8', 0), { ...bulk, requestId: 'R9', records: 1 }]
  assert.deepEqual(unpackBatch(packBatch(mixed)), mixed)
  const unknown = { ...record('R6', 0), kind: 'no_such_kind' } as unknown as NewLogRecord
  assert.throws(() => packBatch([unknown]), /no code for record kind 'no_such_kind'/)
})

it('commits appends in a worker thread, in the order posted', { timeout: 60_000 }, async (t) => {
  const { dir, store } = sqliteStoreOnDisk(t, 'inlet-writer-', 'fsync')
  const log = createMemoryLogger()
  const writer = startLogWriterWorker(
    { dataDir: dir, durability: 'fsync' },
    {
      log,
      closeTimeoutMs: 10_000,
    },
  )
  await writer.ready()
  // 150 rows: more than two multi-row INSERTs (64 rows each) and a remainder row by row.
  const batches = [150, 1, 64, 0, 7].map((n, b) =>
    Array.from({ length: n }, (_, i) => record(`REQ${b}`, i)),
  )
  await Promise.all(batches.map((records) => writer.append(records)))
  const stored = await store.log.readAfter(0, 1_000)
  // The sending API is not read back: the per-minute counts the worker wrote are kept by it.
  assert.deepEqual(
    stored.map((r) => ({ ...r, seq: undefined, api: 'event' })),
    batches.flat().map((r) => ({ ...r, seq: undefined })),
  )
  assert.deepEqual(await store.browse.acceptedRecords('WRITERWS', 0), [
    { minute: Math.floor(1_700_000_000_000 / 60_000), api: 'event', records: 222 },
  ])
  assert.deepEqual(
    stored.map((r) => r.seq),
    stored.map((_, i) => i + 1),
  )

  // A commit that fails (NOT NULL) rejects its own append only; the writer keeps going.
  const bad = { ...record('BAD', 0), workspaceId: null as unknown as string }
  await assert.rejects(writer.append([record('BAD', 1), bad]), /log append failed/)
  await writer.append([record('AFTER', 0)])
  const after = await store.log.readAfter(stored.length, 10)
  assert.deepEqual(
    after.map((r) => r.requestId),
    ['AFTER'],
    'nothing of the failed commit was written',
  )

  await writer.close()
  await assert.rejects(writer.append([record('CLOSED', 0)]), /closed/)
  assert.deepEqual(log.lines, [])
})
