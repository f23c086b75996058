/**
 * The PostgreSQL adapter's privacy state (spec §7.12): the suppression list (`suppressions`) and
 * carried-out erasures (`gdpr_requests`) — a batch's writes and Store `profiles`' reads and
 * lifting of suppressions.
 */
import type { GdprRequestRow, ProfileRepo, SuppressionRow } from '../store.js'
import { str, toGdprRequest, toSuppression } from '../rows.js'
import { rows, type PostgresConnection, type Queryable } from './connection.js'
import { collapse, pairKey, unnest } from './unnest.js'

const SQL = {
  suppressionsInsert: `
    INSERT INTO suppressions (workspace_id, hash, identity_type, request_id, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
    ON CONFLICT (workspace_id, hash) DO NOTHING`,
  gdprUpsert: `
    INSERT INTO gdpr_requests (workspace_id, request_id, seq, received_at, done_at, counts)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (workspace_id, request_id) DO UPDATE SET seq = excluded.seq,
      received_at = excluded.received_at, done_at = excluded.done_at, counts = excluded.counts`,
} as const

export type PostgresPrivacy = ReturnType<typeof postgresPrivacy>

type PrivacyReads =
  'gdprRequest' | 'suppressions' | 'hasSuppressions' | 'suppressed' | 'liftSuppressions'

export function postgresPrivacy({ pool, open }: PostgresConnection) {
  const profiles: Pick<ProfileRepo, PrivacyReads> = {
    gdprRequest: (workspaceId, requestId) =>
      open(async () => {
        const [row] = await rows(
          pool,
          'SELECT * FROM gdpr_requests WHERE workspace_id = $1 AND request_id = $2',
          [workspaceId, requestId],
        )
        return row === undefined ? undefined : toGdprRequest(row)
      }),
    suppressions: (workspaceId) =>
      open(async () =>
        (
          await rows(
            pool,
            'SELECT * FROM suppressions WHERE workspace_id = $1 ORDER BY created_at, hash COLLATE "C"',
            [workspaceId],
          )
        ).map(toSuppression),
      ),
    hasSuppressions: (workspaceId) =>
      open(
        async () =>
          (
            await rows(pool, 'SELECT 1 FROM suppressions WHERE workspace_id = $1 LIMIT 1', [
              workspaceId,
            ])
          ).length > 0,
      ),
    suppressed: (workspaceId, hashes) =>
      open(async () =>
        hashes.length === 0
          ? []
          : (
              await rows(
                pool,
                'SELECT hash FROM suppressions WHERE workspace_id = $1 AND hash = ANY($2::text[])',
                [workspaceId, [...new Set(hashes)]],
              )
            ).map((r) => str(r['hash'])),
      ),
    liftSuppressions: (workspaceId, by) =>
      open(async () => {
        const result = await pool.query(
          `DELETE FROM suppressions WHERE workspace_id = $1
             AND (hash = ANY($2::text[]) OR request_id = $3)`,
          [workspaceId, [...(by.hashes ?? [])], by.requestId ?? null],
        )
        return result.rowCount ?? 0
      }),
  }

  return {
    profiles,
    /** A batch's suppressions (an existing hash is kept as it is) and carried-out erasures. */
    async write(
      db: Queryable,
      written: readonly SuppressionRow[],
      gdprRequests: readonly GdprRequestRow[],
    ): Promise<void> {
      const suppressions = collapse(
        written,
        (x) => pairKey(x.workspaceId, x.hash),
        (first) => first,
      )
      await unnest(db, SQL.suppressionsInsert, suppressions, [
        (x) => x.workspaceId,
        (x) => x.hash,
        (x) => x.identityType,
        (x) => x.requestId,
        (x) => x.createdAt,
      ])
      for (const g of gdprRequests) {
        await db.query(SQL.gdprUpsert, [
          g.workspaceId,
          g.requestId,
          g.seq,
          g.receivedAt,
          g.doneAt,
          g.counts,
        ])
      }
    },
  }
}
