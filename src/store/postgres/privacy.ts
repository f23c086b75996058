/**
 * The PostgreSQL adapter's privacy state (spec §7.12): the suppression list (`suppressions`) and
 * carried-out erasures (`gdpr_requests`) — a batch's writes and Store `profiles`' reads and
 * lifting of suppressions.
 */
import type { ProfileParts } from '../profiles.js'
import type { GdprRequestRow, SuppressionRow } from '../store.js'
import { gdprRequestValues, str, suppressionValues, toGdprRequest, toSuppression } from '../rows.js'
import type { PostgresConnection, Queryable } from './connection.js'
import { keepFirst, collapse, pairKey, unnest } from './unnest.js'

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

export function postgresPrivacy({ pool, open, all, one }: PostgresConnection) {
  const profiles: ProfileParts['privacy']['profiles'] = {
    gdprRequest: (workspaceId, requestId) =>
      one(
        'SELECT * FROM gdpr_requests WHERE workspace_id = $1 AND request_id = $2',
        [workspaceId, requestId],
        toGdprRequest,
      ),
    suppressions: (workspaceId) =>
      all(
        'SELECT * FROM suppressions WHERE workspace_id = $1 ORDER BY created_at, hash COLLATE "C"',
        [workspaceId],
        toSuppression,
      ),
    hasSuppressions: async (workspaceId) =>
      (await one(
        'SELECT 1 FROM suppressions WHERE workspace_id = $1 LIMIT 1',
        [workspaceId],
        () => true,
      )) ?? false,
    suppressed: (workspaceId, hashes) =>
      hashes.length === 0
        ? open(() => Promise.resolve([]))
        : all(
            'SELECT hash FROM suppressions WHERE workspace_id = $1 AND hash = ANY($2::text[])',
            [workspaceId, [...new Set(hashes)]],
            (r) => str(r['hash']),
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
      const suppressions = collapse(written, (x) => pairKey(x.workspaceId, x.hash), keepFirst)
      await unnest(db, SQL.suppressionsInsert, suppressions, suppressionValues)
      for (const g of gdprRequests) await db.query(SQL.gdprUpsert, gdprRequestValues(g))
    },
  }
}
