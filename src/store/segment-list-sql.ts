/**
 * What both adapters' list-segment imports (sqlite/segment-lists.ts, postgres/segment-lists.ts)
 * ask of a job before it may be claimed, written once over each dialect's placeholder and byte
 * order: due, unleased (or its lease run out), and either with only its callback left or with no
 * earlier unfinished import of the same segment (a segment's imports run in the order accepted).
 */

/** The WHERE condition on job `j` at time `now` (a placeholder); `bytewise` orders ids by byte. */
export function claimableWhere(now: string, bytewise: (text: string) => string): string {
  return `((j.state IN ('queued', 'running') AND NOT EXISTS (
      SELECT 1 FROM segment_imports o
      WHERE o.workspace_id = j.workspace_id AND o.segment_id = j.segment_id
        AND o.state IN ('queued', 'running')
        AND (o.created_at < j.created_at
          OR (o.created_at = j.created_at AND ${bytewise('o.id')} < ${bytewise('j.id')}))))
    OR j.state = 'callback')
  AND j.next_attempt_at <= ${now} AND (j.lease_until IS NULL OR j.lease_until <= ${now})`
}
