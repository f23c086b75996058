/**
 * The SQLite adapter's outbox (Store `outbox`, tables `outbox`, `outbox_claims` and `outbox_revs`
 * of store.db, migrations 23 and 25): a request's messages and its transaction claim written in
 * one savepoint, each message given the next rev of the one counter row, and the requests of one
 * turn of the event loop committed together (one IMMEDIATE transaction, one fsync: RecordGroup); pages newest
 * first on the (workspace, seq) and (workspace, customer, seq) indexes, the tail by the
 * (workspace, rev) index; due deliveries claimed and settled in IMMEDIATE transactions (SQLite
 * has one writer, so a claim is never shared); an erasure's redactions inside its batch
 * (processing.ts). It owns this SQL only; what a message is, is families/inform's.
 */
import type Database from 'better-sqlite3'
import { OUTBOX_COLUMNS, num, outboxValues, toOutboxMessage, type Row } from '../rows.js'
import { outboxWhere, settlementColumns } from '../outbox-sql.js'
import type {
  NewOutboxMessage,
  OutboxClaim,
  OutboxMessageRow,
  OutboxAttempt,
  OutboxRecordResult,
  OutboxRedaction,
  OutboxRepo,
  OutboxSettlement,
} from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'

/**
 * The repository, its part of a batch's commit (processing.ts: an erasure's redactions), and the
 * recording of messages inside another repository's write transaction (live-activities.ts,
 * push.ts: a send's step).
 */
export type SqliteOutbox = Readonly<{
  repo: OutboxRepo
  redact(redactions: readonly OutboxRedaction[]): void
  /** How many messages `redact` would change for these customer ids and recipients. */
  countHolding(
    workspaceId: string,
    customerIds: readonly string[],
    recipients: readonly string[],
  ): number
  /** Records `messages` (each the next seq and rev); only inside a write transaction. */
  insert(messages: readonly NewOutboxMessage[]): OutboxMessageRow[]
}>

/**
 * Where a send's `record` is written: by default in this thread, the calls of one turn of the
 * event loop committed together (recordGroup); the server's store hands them to the outbox writer
 * thread instead (outbox-writer.ts), so that the COMMIT's fsync does not stop the event loop.
 */
export type OutboxRecorder = (call: OutboxRecordCall) => Promise<OutboxRecordResult>

export function sqliteOutbox(
  { db }: SqliteConnection,
  recorder: OutboxRecorder = recordGroup(db),
): SqliteOutbox {
  const { insert, takeRevs } = recordStatements(db)
  const q = {
    after: db.prepare(
      'SELECT * FROM outbox WHERE workspace_id = ? AND rev > ? ORDER BY rev LIMIT ?',
    ),
    lastRev: db.prepare('SELECT max(rev) AS rev FROM outbox WHERE workspace_id = ?'),
    // A poller's look before it takes the write lock (claimDue below).
    anyDue: db.prepare('SELECT 1 FROM outbox WHERE due_at <= ? LIMIT 1').pluck(),
    claimDue: db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, due_at = ?
       WHERE seq IN (SELECT seq FROM outbox WHERE due_at <= ? ORDER BY due_at LIMIT ?)
       RETURNING *`,
    ),
    settle: db.prepare(
      `UPDATE outbox SET status = ?, reason = ?, due_at = ?, rev = ?, updated_at = ?
       WHERE seq = ? AND workspace_id = ? AND attempts = ? AND due_at IS NOT NULL`,
    ),
    ofCustomer: db.prepare('SELECT seq FROM outbox WHERE workspace_id = ? AND customer_id = ?'),
    ofRecipient: db.prepare('SELECT seq FROM outbox WHERE workspace_id = ? AND recipient = ?'),
    redact: db.prepare(
      `UPDATE outbox SET recipient = '', subject = NULL, body = '', payload = ?,
         status = CASE WHEN due_at IS NULL THEN status ELSE 'suppressed' END,
         reason = CASE WHEN due_at IS NULL THEN reason ELSE ? END,
         due_at = NULL, rev = ?, updated_at = ?
       WHERE seq = ?`,
    ),
  }
  const lists = new Map<string, Database.Statement>()
  const claimDue = db.transaction((now: number, leaseMs: number, limit: number) =>
    (q.claimDue.all(now + leaseMs, now, limit) as Row[])
      .map(toOutboxMessage)
      .sort((a, b) => a.seq - b.seq),
  )
  const settle = db.transaction(
    (a: OutboxAttempt, outcome: OutboxSettlement, now: number): boolean => {
      const [status, reason, dueAt] = settlementColumns(outcome)
      // A rev taken for an attempt that is no longer pending is a gap on the tail: harmless.
      const rev = takeRevs(1)
      const changed = q.settle.run(
        status,
        reason,
        dueAt,
        rev,
        now,
        a.seq,
        a.workspaceId,
        a.attempts,
      )
      return changed.changes === 1
    },
  )
  const repo: OutboxRepo = {
    record: (workspaceId, messages, claim) => recorder({ workspaceId, messages, claim }),
    list: (workspaceId, filter, limit) =>
      attempt(() => {
        const where = outboxWhere(workspaceId, filter, () => '?')
        const sql = `SELECT * FROM outbox WHERE ${where.sql} ORDER BY seq DESC LIMIT ?`
        let statement = lists.get(sql)
        if (statement === undefined) {
          statement = db.prepare(sql)
          lists.set(sql, statement)
        }
        return (statement.all(...where.values, limit) as Row[]).map(toOutboxMessage)
      }),
    after: (workspaceId, afterRev, limit) =>
      attempt(() => (q.after.all(workspaceId, afterRev, limit) as Row[]).map(toOutboxMessage)),
    lastRev: (workspaceId) => attempt(() => num((q.lastRev.get(workspaceId) as Row)['rev'] ?? 0)),
    // Nothing due: no write transaction, so an idle delivery worker neither waits on the lock of
    // another writer (the processor's commit) on the request thread nor holds it up.
    claimDue: (now, leaseMs, limit) =>
      attempt(() =>
        q.anyDue.get(now) === undefined ? [] : claimDue.immediate(now, leaseMs, limit),
      ),
    settle: (a, outcome, now) => attempt(() => settle.immediate(a, outcome, now)),
  }
  /** The seqs of the workspace's messages of these customers or to these recipients. */
  const holding = (
    workspaceId: string,
    customerIds: readonly string[],
    recipients: readonly string[],
  ): Set<number> => {
    const seqs = new Set<number>()
    for (const id of customerIds) {
      for (const row of q.ofCustomer.all(workspaceId, id) as Row[]) seqs.add(num(row['seq']))
    }
    for (const value of recipients) {
      for (const row of q.ofRecipient.all(workspaceId, value) as Row[]) seqs.add(num(row['seq']))
    }
    return seqs
  }
  return {
    repo,
    countHolding: (workspaceId, customerIds, recipients) =>
      holding(workspaceId, customerIds, recipients).size,
    insert,
    redact(redactions) {
      for (const r of redactions) {
        const seqs = holding(r.workspaceId, r.customerIds, r.recipients)
        if (seqs.size === 0) continue
        const payload = JSON.stringify(r.payload)
        let rev = takeRevs(seqs.size) - seqs.size
        for (const seq of [...seqs].sort((a, b) => a - b)) {
          q.redact.run(payload, r.reason, ++rev, r.at, seq)
        }
      }
    },
  }
}

/** One send's `record`: its messages and its transaction claim. */
export type OutboxRecordCall = Readonly<{
  workspaceId: string
  messages: readonly NewOutboxMessage[]
  claim: OutboxClaim | undefined
}>

/** A call's outcome within its group: each call fails alone. */
export type SettledRecord = { ok: true; value: OutboxRecordResult } | { ok: false; error: Error }

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)))

/** Messages per multi-row INSERT of encodedInserter (× 22 columns: far under SQLite's 32,766 variables). */
const ROWS_PER_INSERT = 50

/** `INSERT INTO outbox … VALUES (…), (…)` of `rows` rows, the rev last in each. */
const insertSql = (rows: number): string => {
  const row = `(${[...OUTBOX_COLUMNS, 'rev'].map(() => '?').join(', ')})`
  return `INSERT INTO outbox (${OUTBOX_COLUMNS.join(', ')}, rev) VALUES ${Array.from({ length: rows }, () => row).join(', ')}`
}

/**
 * Writes messages already encoded (outboxValues of each, in order), each the next rev, in
 * multi-row INSERTs of ROWS_PER_INSERT; only inside a write transaction. For a send's step
 * (push.ts), whose messages' seqs nobody reads back: a page of 2,000 messages is 40 statements to
 * bind and step instead of 2,000, and no row object is built per message.
 */
export function encodedInserter(db: Database.Database): (values: readonly unknown[][]) => void {
  const one = db.prepare(insertSql(1))
  const many = db.prepare(insertSql(ROWS_PER_INSERT))
  const revs = db.prepare('UPDATE outbox_revs SET value = value + ? WHERE id = 1 RETURNING value')
  return (values) => {
    if (values.length === 0) return
    let rev = num((revs.get(values.length) as Row)['value']) - values.length + 1
    let i = 0
    for (; i + ROWS_PER_INSERT <= values.length; i += ROWS_PER_INSERT) {
      const params: unknown[] = []
      for (let j = i; j < i + ROWS_PER_INSERT; j++) params.push(...(values[j] ?? []), rev++)
      many.run(params)
    }
    for (; i < values.length; i++) one.run(...(values[i] ?? []), rev++)
  }
}

/** The statements of recording: each message the next seq and rev, the claims' window. */
function recordStatements(db: Database.Database) {
  const q = {
    insert: db.prepare(insertSql(1)),
    revs: db.prepare('UPDATE outbox_revs SET value = value + ? WHERE id = 1 RETURNING value'),
    prune: db.prepare('DELETE FROM outbox_claims WHERE workspace_id = ? AND claimed_at <= ?'),
    claim: db.prepare(
      `INSERT INTO outbox_claims (workspace_id, claim_key, claimed_at) VALUES (?, ?, ?)
       ON CONFLICT (workspace_id, claim_key) DO NOTHING`,
    ),
  }
  /** The last of `n` new revs (the first is this minus n - 1); inside a write transaction. */
  const takeRevs = (n: number): number => num((q.revs.get(n) as Row)['value'])
  const insert = (messages: readonly NewOutboxMessage[]): OutboxMessageRow[] => {
    if (messages.length === 0) return []
    const first = takeRevs(messages.length) - messages.length + 1
    return messages.map((m, i) => ({
      ...m,
      seq: Number(q.insert.run(...outboxValues(m), first + i).lastInsertRowid),
      rev: first + i,
      updatedAt: m.createdAt,
    }))
  }
  /** One call, a transaction function: nested in the group's transaction, a savepoint. */
  const record = db.transaction(({ workspaceId, messages, claim }: OutboxRecordCall) => {
    if (claim !== undefined) {
      // Claims older than the window no longer count: gone, a repeat of them is a new claim.
      q.prune.run(workspaceId, claim.at - claim.windowMs)
      if (q.claim.run(workspaceId, claim.key, claim.at).changes === 0) {
        return { duplicate: true } as const
      }
    }
    return { duplicate: false, rows: insert(messages) } as const
  })
  return { insert, takeRevs, record }
}

/**
 * Writes a group of calls in one IMMEDIATE transaction, each call in its own savepoint (one that
 * throws is rolled back alone, its claim with it, and fails alone), then COMMITs: one fsync for
 * the group. Throws when the COMMIT (or BEGIN) fails: then nothing of the group was written. Used
 * in this thread (recordGroup) and by the outbox writer thread (outbox-writer-worker.ts).
 */
export function outboxGroupWriter(
  db: Database.Database,
): (calls: readonly OutboxRecordCall[]) => SettledRecord[] {
  const { record } = recordStatements(db)
  const commit = db.transaction((calls: readonly OutboxRecordCall[]): SettledRecord[] =>
    calls.map((call) => {
      try {
        return { ok: true, value: record(call) }
      } catch (err) {
        return { ok: false, error: asError(err) }
      }
    }),
  )
  return (calls) => commit.immediate(calls)
}

/** One call waiting for its group's COMMIT. */
type Pending = Readonly<{
  call: OutboxRecordCall
  resolve: (result: OutboxRecordResult) => void
  reject: (error: Error) => void
}>

/**
 * Group commit of the outbox's records in this thread: the calls made in one turn of the event
 * loop are written together (outboxGroupWriter), and each promise settles after the COMMIT — a
 * send is answered only once its messages are on disk, but N concurrent sends cost one fsync
 * instead of N. If the COMMIT itself fails, every call of the group fails with its error.
 */
function recordGroup(db: Database.Database): OutboxRecorder {
  const write = outboxGroupWriter(db)
  let pending: Pending[] = []
  const flush = (): void => {
    const group = pending
    pending = []
    let settled: SettledRecord[]
    try {
      settled = write(group.map((p) => p.call))
    } catch (err) {
      for (const p of group) p.reject(asError(err))
      return
    }
    settled.forEach((s, i) => {
      const p = group[i]
      if (p === undefined) return
      if (s.ok) p.resolve(s.value)
      else p.reject(s.error)
    })
  }
  return (call) =>
    new Promise<OutboxRecordResult>((resolve, reject) => {
      pending.push({ call, resolve, reject })
      if (pending.length === 1) setImmediate(flush)
    })
}
