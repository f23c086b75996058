/**
 * The SQLite adapter's record outcomes (table `record_outcomes` of store.db): a batch's outcomes
 * and redactions, the outcomes an erasure must redact, and Store `profiles.outcomesOfRequest`.
 */
import type { ProfileParts } from '../profiles.js'
import type { RecordOutcomeRow } from '../store.js'
import { num, outcomeValues, toOutcome, type Row } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

export type SqliteOutcomes = ReturnType<typeof sqliteOutcomes>

export function sqliteOutcomes({ db }: SqliteConnection) {
  const q = {
    outcomeInsert: db.prepare(
      `INSERT OR REPLACE INTO record_outcomes (seq, workspace_id, request_id, idx, kind, outcome,
         reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // record_outcomes_by_request finds the request's few rows; the workspace is checked on them.
    outcomesOfRequest: db.prepare(
      `SELECT * FROM record_outcomes INDEXED BY record_outcomes_by_request
       WHERE request_id = ? AND workspace_id = ? ORDER BY idx, seq`,
    ),
    outcomeSeqsHolding: db
      .prepare('SELECT seq FROM record_outcomes WHERE workspace_id = ? AND instr(reason, ?) > 0')
      .pluck(),
    // An applied outcome's reason is a JSON array of notes; the redaction becomes its one note.
    outcomeRedact: db.prepare(
      `UPDATE record_outcomes SET reason = CASE WHEN outcome = 'applied' THEN ? ELSE ? END
       WHERE seq = ?`,
    ),
  }

  const profiles: ProfileParts['outcomes']['profiles'] = {
    outcomesOfRequest: (workspaceId, requestId) =>
      attempt(() => (q.outcomesOfRequest.all(requestId, workspaceId) as Row[]).map(toOutcome)),
  }

  return {
    profiles,
    write(outcomes: readonly RecordOutcomeRow[]): void {
      for (const o of outcomes) q.outcomeInsert.run(...outcomeValues(o))
    },
    redact(redacted: readonly Readonly<{ seq: number; reason: string }>[]): void {
      for (const o of redacted) q.outcomeRedact.run(JSON.stringify([o.reason]), o.reason, o.seq)
    },
    /** spec §7.12: the seqs of the workspace's outcomes whose reason holds one of `tokens`. */
    seqsHolding(workspaceId: string, tokens: readonly string[]): Set<number> {
      const seqs = new Set<number>()
      for (const token of tokens) {
        for (const seq of q.outcomeSeqsHolding.all(workspaceId, token) as number[]) {
          seqs.add(num(seq))
        }
      }
      return seqs
    },
  }
}
