/**
 * The PostgreSQL adapter's custom segments (Store `customSegments`, table `custom_segments`,
 * migration 20). Create and update run in one transaction that first takes a transaction-level
 * advisory lock of the workspace's segments, so the checks (name, definition, active count) and
 * the write are never interleaved with another process's; the unique indexes hold the rules
 * besides.
 */
import { CUSTOM_SEGMENT_COLUMNS, customSegmentValues, num, toCustomSegment } from '../rows.js'
import type {
  CustomSegmentArchived,
  CustomSegmentChange,
  CustomSegmentCreated,
  CustomSegmentRepo,
  CustomSegmentRow,
  CustomSegmentUpdated,
} from '../store.js'
import { rows, transaction, type PostgresConnection, type Queryable } from './connection.js'

const SQL = {
  list: `SELECT * FROM custom_segments WHERE workspace_id = $1 ORDER BY created_at, id COLLATE "C"`,
  named: `SELECT * FROM custom_segments WHERE workspace_id = $1 AND name = $2
    ORDER BY created_at, id COLLATE "C"`,
  get: 'SELECT * FROM custom_segments WHERE workspace_id = $1 AND id = $2',
  byHash: 'SELECT * FROM custom_segments WHERE workspace_id = $1 AND definition_hash = $2',
  active: `SELECT count(*) AS n FROM custom_segments
    WHERE workspace_id = $1 AND archived_at IS NULL`,
  lock: `SELECT pg_advisory_xact_lock(hashtextextended('custom_segments:' || $1, 0))`,
  insert: `INSERT INTO custom_segments (${CUSTOM_SEGMENT_COLUMNS.join(', ')})
    VALUES (${CUSTOM_SEGMENT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
  archive: 'UPDATE custom_segments SET archived_at = $3 WHERE workspace_id = $1 AND id = $2',
  update: `UPDATE custom_segments SET name = $3, included_filters = $4, definition_hash = $5,
      description = $6, updated_at = $7, updated_by = $8
    WHERE workspace_id = $1 AND id = $2`,
}

export function postgresCustomSegments({
  pool,
  open,
  all,
  one,
}: PostgresConnection): CustomSegmentRepo {
  const first = async (db: Queryable, text: string, values: readonly unknown[]) => {
    const [r] = await rows(db, text, values)
    return r === undefined ? undefined : toCustomSegment(r)
  }
  /** Another segment than `id` holding the name or the definition hash. */
  const conflict = async (db: Queryable, ws: string, id: string, name: string, hash: string) => {
    const byName = await first(db, SQL.named, [ws, name])
    if (byName !== undefined && byName.id !== id) {
      return { kind: 'name_taken', existing: byName } as const
    }
    const byHash = await first(db, SQL.byHash, [ws, hash])
    if (byHash !== undefined && byHash.id !== id) {
      return { kind: 'definition_taken', existing: byHash } as const
    }
    return undefined
  }
  const create = (row: CustomSegmentRow, maxActive: number): Promise<CustomSegmentCreated> =>
    transaction(pool, 'BEGIN', async (db) => {
      await db.query(SQL.lock, [row.workspaceId])
      const taken = await conflict(db, row.workspaceId, row.id, row.name, row.definitionHash)
      if (taken !== undefined) return taken
      const [counted] = await rows(db, SQL.active, [row.workspaceId])
      const active = num(counted?.['n'] ?? 0)
      if (row.archivedAt === null && active >= maxActive) return { kind: 'limit', active }
      await db.query(SQL.insert, customSegmentValues(row))
      return { kind: 'created', row }
    })
  const update = (
    ws: string,
    id: string,
    change: CustomSegmentChange,
  ): Promise<CustomSegmentUpdated> =>
    transaction(pool, 'BEGIN', async (db) => {
      await db.query(SQL.lock, [ws])
      const current = await first(db, SQL.get, [ws, id])
      if (current === undefined) return { kind: 'not_found' }
      const name = change.name ?? current.name
      const taken = await conflict(db, ws, id, name, change.definitionHash)
      if (taken !== undefined) return taken
      const row: CustomSegmentRow = {
        ...current,
        name,
        includedFilters: change.includedFilters,
        definitionHash: change.definitionHash,
        description: change.description,
        updatedAt: change.updatedAt,
        updatedBy: change.updatedBy,
      }
      await db.query(SQL.update, [
        ws,
        id,
        row.name,
        row.includedFilters,
        row.definitionHash,
        row.description,
        row.updatedAt,
        row.updatedBy,
      ])
      return { kind: 'updated', row }
    })
  const setArchived = (
    ws: string,
    id: string,
    at: number | null,
    maxActive: number,
  ): Promise<CustomSegmentArchived> =>
    transaction(pool, 'BEGIN', async (db) => {
      await db.query(SQL.lock, [ws])
      const current = await first(db, SQL.get, [ws, id])
      if (current === undefined) return { kind: 'not_found' }
      if (at !== null && current.archivedAt !== null) return { kind: 'updated', row: current }
      if (at === null && current.archivedAt !== null) {
        const [counted] = await rows(db, SQL.active, [ws])
        const active = num(counted?.['n'] ?? 0)
        if (active >= maxActive) return { kind: 'limit', active }
      }
      await db.query(SQL.archive, [ws, id, at])
      return { kind: 'updated', row: { ...current, archivedAt: at } }
    })
  return {
    setArchived: (ws, id, at, maxActive) => open(() => setArchived(ws, id, at, maxActive)),
    list: (ws, filter = {}) =>
      filter.name === undefined
        ? all(SQL.list, [ws], toCustomSegment)
        : all(SQL.named, [ws, filter.name], toCustomSegment),
    get: (ws, id) => one(SQL.get, [ws, id], toCustomSegment),
    create: (row, maxActive) => open(() => create(row, maxActive)),
    update: (ws, id, change) => open(() => update(ws, id, change)),
  }
}
