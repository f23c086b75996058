/**
 * The `feature_keys` table's row ↔ FeatureKeyRow mapping, shared by the SQLite and PostgreSQL
 * adapters (store/sqlite/sqlite-keys.ts, store/postgres/postgres-keys.ts), whose columns are the
 * same. It owns the column names; each adapter owns its SQL.
 */
import type { FeatureKeyRow } from './store.js'

type Row = Readonly<Record<string, unknown>>

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v))
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v))
// PostgreSQL answers bigint columns as strings.
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))

/** The columns in the order of FEATURE_KEY_COLUMNS, from a row to write. */
export const FEATURE_KEY_COLUMNS = [
  'workspace_id',
  'feature',
  'key_hash',
  'key_salt',
  'sealed_key',
  'created_at',
  'rotated_at',
  'prev_key_hash',
  'prev_key_salt',
  'prev_sealed_key',
  'prev_key_expires_at',
] as const

export function featureKeyValues(row: FeatureKeyRow): unknown[] {
  const p = row.previous
  return [
    row.workspaceId,
    row.feature,
    row.hash,
    row.salt,
    row.sealed,
    row.createdAt,
    row.rotatedAt,
    p?.hash ?? null,
    p?.salt ?? null,
    p?.sealed ?? null,
    p?.expiresAt ?? null,
  ]
}

export function toFeatureKeyRow(r: Row): FeatureKeyRow {
  const row: FeatureKeyRow = {
    workspaceId: str(r['workspace_id']),
    feature: str(r['feature']),
    hash: str(r['key_hash']),
    salt: str(r['key_salt']),
    sealed: strOrNull(r['sealed_key']),
    createdAt: num(r['created_at']),
    rotatedAt:
      r['rotated_at'] === null || r['rotated_at'] === undefined ? null : num(r['rotated_at']),
  }
  if (r['prev_key_hash'] === null || r['prev_key_hash'] === undefined) return row
  return {
    ...row,
    previous: {
      hash: str(r['prev_key_hash']),
      salt: str(r['prev_key_salt']),
      sealed: strOrNull(r['prev_sealed_key']),
      expiresAt: num(r['prev_key_expires_at']),
    },
  }
}
