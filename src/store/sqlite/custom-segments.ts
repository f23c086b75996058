/**
 * The SQLite adapter's custom segments (Store `customSegments`, table `custom_segments` of
 * store.db, migration 20). Create and update read the rows that could conflict and write in one
 * IMMEDIATE transaction, so no other writer comes between the checks and the write.
 */
import {
  CUSTOM_SEGMENT_COLUMNS,
  customSegmentValues,
  num,
  toCustomSegment,
  type Row,
} from '../rows.js'
import type {
  CustomSegmentArchived,
  CustomSegmentChange,
  CustomSegmentCreated,
  CustomSegmentRepo,
  CustomSegmentRow,
  CustomSegmentUpdated,
} from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'

export function sqliteCustomSegments({ db }: SqliteConnection): CustomSegmentRepo {
  const q = {
    list: db.prepare(
      'SELECT * FROM custom_segments WHERE workspace_id = ? ORDER BY created_at, id',
    ),
    named: db.prepare(
      'SELECT * FROM custom_segments WHERE workspace_id = ? AND name = ? ORDER BY created_at, id',
    ),
    get: db.prepare('SELECT * FROM custom_segments WHERE workspace_id = ? AND id = ?'),
    byHash: db.prepare(
      'SELECT * FROM custom_segments WHERE workspace_id = ? AND definition_hash = ?',
    ),
    active: db.prepare(
      'SELECT count(*) AS n FROM custom_segments WHERE workspace_id = ? AND archived_at IS NULL',
    ),
    insert: db.prepare(
      `INSERT INTO custom_segments (${CUSTOM_SEGMENT_COLUMNS.join(', ')})
       VALUES (${CUSTOM_SEGMENT_COLUMNS.map(() => '?').join(', ')})`,
    ),
    archive: db.prepare(
      'UPDATE custom_segments SET archived_at = ? WHERE workspace_id = ? AND id = ?',
    ),
    update: db.prepare(
      `UPDATE custom_segments SET name = ?, included_filters = ?, definition_hash = ?,
         description = ?, updated_at = ?, updated_by = ?
       WHERE workspace_id = ? AND id = ?`,
    ),
  }
  const one = (stmt: typeof q.get, ...args: string[]): CustomSegmentRow | undefined => {
    const r = stmt.get(...args) as Row | undefined
    return r === undefined ? undefined : toCustomSegment(r)
  }
  /** Another segment than `id` holding the name or the definition hash. */
  const conflict = (ws: string, id: string, name: string, hash: string) => {
    const byName = one(q.named, ws, name)
    if (byName !== undefined && byName.id !== id) {
      return { kind: 'name_taken', existing: byName } as const
    }
    const byHash = one(q.byHash, ws, hash)
    if (byHash !== undefined && byHash.id !== id) {
      return { kind: 'definition_taken', existing: byHash } as const
    }
    return undefined
  }
  const create = db.transaction(
    (row: CustomSegmentRow, maxActive: number): CustomSegmentCreated => {
      const taken = conflict(row.workspaceId, row.id, row.name, row.definitionHash)
      if (taken !== undefined) return taken
      const active = num((q.active.get(row.workspaceId) as Row)['n'])
      if (row.archivedAt === null && active >= maxActive) return { kind: 'limit', active }
      q.insert.run(...customSegmentValues(row))
      return { kind: 'created', row }
    },
  )
  const update = db.transaction(
    (ws: string, id: string, change: CustomSegmentChange): CustomSegmentUpdated => {
      const current = one(q.get, ws, id)
      if (current === undefined) return { kind: 'not_found' }
      const name = change.name ?? current.name
      const taken = conflict(ws, id, name, change.definitionHash)
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
      q.update.run(
        row.name,
        row.includedFilters,
        row.definitionHash,
        row.description,
        row.updatedAt,
        row.updatedBy,
        ws,
        id,
      )
      return { kind: 'updated', row }
    },
  )
  const setArchived = db.transaction(
    (ws: string, id: string, at: number | null, maxActive: number): CustomSegmentArchived => {
      const current = one(q.get, ws, id)
      if (current === undefined) return { kind: 'not_found' }
      if (at !== null && current.archivedAt !== null) return { kind: 'updated', row: current }
      if (at === null && current.archivedAt !== null) {
        const active = num((q.active.get(ws) as Row)['n'])
        if (active >= maxActive) return { kind: 'limit', active }
      }
      q.archive.run(at, ws, id)
      return { kind: 'updated', row: { ...current, archivedAt: at } }
    },
  )
  return {
    setArchived: (ws, id, at, maxActive) =>
      attempt(() => setArchived.immediate(ws, id, at, maxActive)),
    list: (ws, filter = {}) =>
      attempt(() =>
        (filter.name === undefined ? q.list.all(ws) : q.named.all(ws, filter.name)).map((r) =>
          toCustomSegment(r as Row),
        ),
      ),
    get: (ws, id) => attempt(() => one(q.get, ws, id)),
    create: (row, maxActive) => attempt(() => create.immediate(row, maxActive)),
    update: (ws, id, change) => attempt(() => update.immediate(ws, id, change)),
  }
}
