/**
 * Row mappers shared by both adapters, both ways. Reading: a row as the driver returns it (column
 * names as in the migrations) to the Store's row types — the one place where the drivers'
 * differences are normalised: better-sqlite3 returns INTEGER columns as numbers, pg returns BIGINT
 * columns (times, seqs, ids) and count(*) as strings, and both return JSON attribute maps as the
 * text written. Writing: a row type's values in the column order of its table's INSERT, which
 * both adapters' statements list in that order, and the columns a workspace patch sets. It owns
 * the mapping only: no SQL, no dialect.
 */
import type {
  BulkLogRow,
  DeletionRow,
  DeviceRow,
  EventRow,
  FeatureKeyRow,
  GdprRequestRow,
  IdentityLink,
  LogRecord,
  MergeRow,
  OutcomeKind,
  RecordKind,
  RecordOutcomeRow,
  SuppressionRow,
  UserRow,
  Workspace,
  WorkspacePatch,
  WorkspaceState,
} from './store.js'

/** A row as a driver returns it. */
export type Row = Record<string, unknown>

export const str = (v: unknown): string => (typeof v === 'string' ? v : String(v))
export const strOrNull = (v: unknown): string | null =>
  v === null || v === undefined ? null : str(v)
// PostgreSQL BIGINT arrives as a string (pg does not narrow int8 to a JS number by itself); every
// value stored in one (ms times, seqs, counts) is a safe integer.
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))
export const numOrNull = (v: unknown): number | null =>
  v === null || v === undefined ? null : num(v)
/** An attribute map or settings object stored as JSON text ({} for none, or for a non-object). */
export const json = (v: unknown): Record<string, unknown> => {
  if (typeof v !== 'string' || v === '') return {}
  const parsed: unknown = JSON.parse(v)
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>) // narrowed: a non-array object
    : {}
}

// The mappers below (and the values functions after them) are alike in shape, each for another
// row type: written out rather than table-driven, since they run once per row on hot paths.

export function toWorkspace(r: Row): Workspace {
  return {
    id: str(r['id']),
    name: str(r['name']),
    keyHash: strOrNull(r['key_hash']),
    keySalt: strOrNull(r['key_salt']),
    state: str(r['state']) as WorkspaceState, // written only from the WorkspaceState union
    settings: json(r['settings']),
    createdAt: num(r['created_at']),
    updatedAt: num(r['updated_at']),
    ...(r['prev_key_hash'] === null || r['prev_key_hash'] === undefined
      ? {}
      : {
          previousKey: {
            hash: str(r['prev_key_hash']),
            salt: str(r['prev_key_salt']),
            expiresAt: num(r['prev_key_expires_at']),
          },
        }),
  }
}

export function toLogRecord(r: Row): LogRecord {
  return {
    seq: num(r['seq']),
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    index: num(r['idx']),
    kind: str(r['kind']) as RecordKind, // written only from the RecordKind union
    customerId: strOrNull(r['customer_id']),
    receivedAt: num(r['received_at']),
    payload: str(r['payload']),
  }
}

/** A log row of kind BULK_ROW_KIND, for the store's LogRowExpander. */
export function toBulkLogRow(r: Row): BulkLogRow {
  return {
    seq: num(r['seq']),
    records: num(r['records']),
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    receivedAt: num(r['received_at']),
    payload: str(r['payload']),
  }
}

export function toUser(r: Row): UserRow {
  return {
    workspaceId: str(r['workspace_id']),
    id: str(r['id']),
    customerId: strOrNull(r['customer_id']),
    attributes: json(r['attributes']),
    createdAt: num(r['created_at']),
    updatedAt: num(r['updated_at']),
  }
}

export function toDevice(r: Row): DeviceRow {
  return {
    workspaceId: str(r['workspace_id']),
    deviceId: str(r['device_id']),
    userId: str(r['user_id']),
    platform: strOrNull(r['platform']),
    pushId: strOrNull(r['push_id']),
    attributes: json(r['attributes']),
    createdAt: num(r['created_at']),
    updatedAt: num(r['updated_at']),
  }
}

export function toEvent(r: Row): EventRow {
  return {
    seq: num(r['seq']),
    workspaceId: str(r['workspace_id']),
    userId: str(r['user_id']),
    name: str(r['name']),
    deviceId: strOrNull(r['device_id']),
    platform: strOrNull(r['platform']),
    appVersion: strOrNull(r['app_version']),
    eventTime: num(r['event_time']),
    userTime: numOrNull(r['user_time']),
    receivedAt: num(r['received_at']),
    requestId: str(r['request_id']),
    attributes: json(r['attributes']),
  }
}

export function toOutcome(r: Row): RecordOutcomeRow {
  return {
    seq: num(r['seq']),
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    index: num(r['idx']),
    kind: str(r['kind']) as RecordKind, // written only from the RecordKind union
    outcome: str(r['outcome']) as OutcomeKind, // written only from the OutcomeKind union
    reason: str(r['reason']),
    at: num(r['at']),
  }
}

export function toDeletion(r: Row): DeletionRow {
  return {
    workspaceId: str(r['workspace_id']),
    userId: str(r['user_id']),
    dueAt: num(r['due_at']),
    requestId: str(r['request_id']),
    seq: num(r['seq']),
  }
}

export function toMerge(r: Row): MergeRow {
  return {
    id: num(r['id']),
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    retainedUserId: str(r['retained_user_id']),
    mergedUserId: str(r['merged_user_id']),
    at: num(r['at']),
    before: str(r['before']),
    undoneAt: numOrNull(r['undone_at']),
  }
}

export function toIdentityLink(r: Row): IdentityLink {
  return {
    workspaceId: str(r['workspace_id']),
    userId: str(r['user_id']),
    name: str(r['name']),
    value: str(r['value']),
  }
}

export function toGdprRequest(r: Row): GdprRequestRow {
  return {
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    seq: num(r['seq']),
    receivedAt: num(r['received_at']),
    doneAt: num(r['done_at']),
    counts: str(r['counts']),
  }
}

export function toSuppression(r: Row): SuppressionRow {
  return {
    workspaceId: str(r['workspace_id']),
    hash: str(r['hash']),
    identityType: str(r['identity_type']),
    requestId: str(r['request_id']),
    createdAt: num(r['created_at']),
  }
}

export function toFeatureKeyRow(r: Row): FeatureKeyRow {
  const row: FeatureKeyRow = {
    workspaceId: str(r['workspace_id']),
    feature: str(r['feature']),
    hash: str(r['key_hash']),
    salt: str(r['key_salt']),
    sealed: strOrNull(r['sealed_key']),
    createdAt: num(r['created_at']),
    rotatedAt: numOrNull(r['rotated_at']),
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

// SQLite statements take the values spread (`run(...values)`): better-sqlite3 binds an array
// about a quarter slower than arguments; PostgreSQL's unnest statements take them by column.

/** A workspace's values in the column order of its INSERT. */
export const workspaceValues = (w: Workspace): unknown[] => [
  w.id,
  w.name,
  w.keyHash,
  w.keySalt,
  w.state,
  JSON.stringify(w.settings),
  w.createdAt,
  w.updatedAt,
  w.previousKey?.hash ?? null,
  w.previousKey?.salt ?? null,
  w.previousKey?.expiresAt ?? null,
]

export const userValues = (u: UserRow): unknown[] => [
  u.workspaceId,
  u.id,
  u.customerId,
  JSON.stringify(u.attributes),
  u.createdAt,
  u.updatedAt,
]

export const deviceValues = (d: DeviceRow): unknown[] => [
  d.workspaceId,
  d.deviceId,
  d.userId,
  d.platform,
  d.pushId,
  JSON.stringify(d.attributes),
  d.createdAt,
  d.updatedAt,
]

/** An event's values; attributes are NULL when there are none. */
export const eventValues = (e: EventRow): unknown[] => [
  e.seq,
  e.workspaceId,
  e.userId,
  e.name,
  e.deviceId,
  e.platform,
  e.appVersion,
  e.eventTime,
  e.userTime,
  e.receivedAt,
  e.requestId,
  Object.keys(e.attributes).length === 0 ? null : JSON.stringify(e.attributes),
]

export const outcomeValues = (o: RecordOutcomeRow): unknown[] => [
  o.seq,
  o.workspaceId,
  o.requestId,
  o.index,
  o.kind,
  o.outcome,
  o.reason,
  o.at,
]

export const mergeValues = (m: MergeRow): unknown[] => [
  m.workspaceId,
  m.id,
  m.requestId,
  m.retainedUserId,
  m.mergedUserId,
  m.at,
  m.before,
  m.undoneAt,
]

export const deletionValues = (d: DeletionRow): unknown[] => [
  d.workspaceId,
  d.userId,
  d.dueAt,
  d.requestId,
  d.seq,
]

export const suppressionValues = (x: SuppressionRow): unknown[] => [
  x.workspaceId,
  x.hash,
  x.identityType,
  x.requestId,
  x.createdAt,
]

export const gdprRequestValues = (g: GdprRequestRow): unknown[] => [
  g.workspaceId,
  g.requestId,
  g.seq,
  g.receivedAt,
  g.doneAt,
  g.counts,
]

/** The columns of `feature_keys`, in the order of featureKeyValues (both adapters' upserts). */
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

/** A feature key's values in the order of FEATURE_KEY_COLUMNS. */
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

/** Orders users by internal id, as code units (PostgreSQL: COLLATE "C"). */
export const byUserId = (a: UserRow, b: UserRow): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * The columns a WorkspacePatch sets, each with its value as stored, `updated_at` first: the one
 * reading of a patch, each adapter writing its own placeholders.
 */
export function workspacePatchColumns(patch: WorkspacePatch): [column: string, value: unknown][] {
  const set: [string, unknown][] = [['updated_at', patch.updatedAt]]
  if (patch.name !== undefined) set.push(['name', patch.name])
  if (patch.keyHash !== undefined) {
    set.push(['key_hash', patch.keyHash], ['key_salt', patch.keySalt ?? null])
  }
  if (patch.state !== undefined) set.push(['state', patch.state])
  if (patch.settings !== undefined) set.push(['settings', JSON.stringify(patch.settings)])
  if (patch.previousKey !== undefined) {
    set.push(
      ['prev_key_hash', patch.previousKey?.hash ?? null],
      ['prev_key_salt', patch.previousKey?.salt ?? null],
      ['prev_key_expires_at', patch.previousKey?.expiresAt ?? null],
    )
  }
  return set
}
