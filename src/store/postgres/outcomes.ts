/**
 * The PostgreSQL adapter's record outcomes (table `record_outcomes`): a batch's outcomes and
 * redactions, the outcomes an erasure must redact, and Store `profiles.outcomesOfRequest`.
 */
import type { ProfileParts } from '../profiles.js'
import type { RecordOutcomeRow } from '../store.js'
import { num, outcomeValues, toOutcome } from '../rows.js'
import { rows, type PostgresConnection, type Queryable } from './connection.js'
import { bySeq, keepLater, collapse, unnest } from './unnest.js'

const SQL = {
  outcomesOfRequest: `
    SELECT * FROM record_outcomes WHERE request_id = $1 AND workspace_id = $2
    ORDER BY idx, seq`,
  outcomesUpsert: `
    INSERT INTO record_outcomes (seq, workspace_id, request_id, idx, kind, outcome, reason, at)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
      $7::text[], $8::bigint[])
    ON CONFLICT (seq) DO UPDATE SET workspace_id = excluded.workspace_id,
      request_id = excluded.request_id, idx = excluded.idx, kind = excluded.kind,
      outcome = excluded.outcome, reason = excluded.reason, at = excluded.at`,
  outcomesRedact: `
    UPDATE record_outcomes o
    SET reason = CASE WHEN o.outcome = 'applied' THEN k.notes ELSE k.reason END
    FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k(seq, reason, notes)
    WHERE o.seq = k.seq`,
  outcomeSeqsHolding: `
    SELECT DISTINCT o.seq FROM record_outcomes o, unnest($2::text[]) AS t(token)
    WHERE o.workspace_id = $1 AND strpos(o.reason, t.token) > 0
    ORDER BY o.seq`,
} as const

export type PostgresOutcomes = ReturnType<typeof postgresOutcomes>

export function postgresOutcomes({ pool, all }: PostgresConnection) {
  const profiles: ProfileParts['outcomes']['profiles'] = {
    outcomesOfRequest: (workspaceId, requestId) =>
      all(SQL.outcomesOfRequest, [requestId, workspaceId], toOutcome),
  }

  return {
    profiles,
    async write(db: Queryable, written: readonly RecordOutcomeRow[]): Promise<void> {
      const outcomes = collapse(written, bySeq, keepLater)
      await unnest(db, SQL.outcomesUpsert, outcomes, outcomeValues)
    },
    /** Reasons replaced; an `applied` row gets the reason as its one note. */
    async redact(
      db: Queryable,
      redacted: readonly Readonly<{ seq: number; reason: string }>[],
    ): Promise<void> {
      const outcomes = collapse(redacted, bySeq, keepLater)
      await unnest(db, SQL.outcomesRedact, outcomes, (o) => [
        o.seq,
        o.reason,
        JSON.stringify([o.reason]),
      ])
    },
    /** spec §7.12: the seqs of the workspace's outcomes whose reason holds one of `tokens`. */
    async seqsHolding(workspaceId: string, tokens: readonly string[]): Promise<number[]> {
      if (tokens.length === 0) return []
      return (await rows(pool, SQL.outcomeSeqsHolding, [workspaceId, [...tokens]])).map((r) =>
        num(r['seq']),
      )
    },
  }
}
