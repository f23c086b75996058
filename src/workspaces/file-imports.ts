/**
 * A workspace's file imports (MoEngage defines them in its dashboard, Data > Data Imports; Inlet
 * through the admin API and `inlet workspaces file-imports`): the input rules of a definition —
 * its id (generated when not given), unique name, source (an `http:`/`https:` URL, or a `file:`
 * URL of a file or directory under the server's allowed directory: the caller's `sourceProblem`
 * says which it takes), the kind of rows (`users` or `events`), the format (`csv` or `jsonl`), the
 * column options of `inlet import`, and its schedule (`ONETIME`: once, as soon as it is defined;
 * `PERIODIC`: every `interval_minutes`, or daily at `daily_at` UTC) — its view, when it is next
 * due, and the operations on the store's rows. Running it is the File Imports family's
 * (families/file-imports); this module only defines the imports.
 */
import type { FileImportRow } from '../store/store.js'
import { definitionReads, refusingTakenName, type DefinitionDeps } from './definitions.js'
import { WorkspaceInputError } from './changes.js'
import { definitionId, definitionText, refuseUnknown } from './inform-alerts.js'

/** Most imports one workspace may define. */
export const MAX_FILE_IMPORTS = 200
/** The shortest and longest interval of a periodic import. */
export const MIN_INTERVAL_MINUTES = 5
export const MAX_INTERVAL_MINUTES = 7 * 24 * 60
const MINUTE_MS = 60_000
const DAY_MS = 86_400_000

export const FILE_IMPORT_TYPES = ['users', 'events'] as const
export const FILE_IMPORT_FORMATS = ['csv', 'jsonl'] as const
export const SCHEDULE_TYPES = ['ONETIME', 'PERIODIC'] as const

export type FileImportSchedule = Readonly<
  | { type: 'ONETIME' }
  | { type: 'PERIODIC'; interval_minutes: number }
  | { type: 'PERIODIC'; daily_at: string }
>

/** What an import does, as stored (snake_case, as the admin API takes it). */
export type FileImportDefinition = Readonly<{
  source: string
  type: (typeof FILE_IMPORT_TYPES)[number]
  format: (typeof FILE_IMPORT_FORMATS)[number]
  id_column?: string
  event_column?: string
  time_column?: string
  datetime_columns?: readonly string[]
  string_columns?: readonly string[]
  schedule: FileImportSchedule
}>

export type FileImportInput = Readonly<{
  importId?: string
  name: string
  definition: FileImportDefinition
}>

export type FileImportView = {
  import_id: string
  name: string
  version: number
  source: string
  type: FileImportDefinition['type']
  format: FileImportDefinition['format']
  id_column: string | null
  event_column: string | null
  time_column: string | null
  datetime_columns: readonly string[]
  string_columns: readonly string[]
  schedule: FileImportSchedule
  next_run_at: string | null
  last_triggered_at: string | null
  created_at: string
  updated_at: string
}

/** A stored definition as its type (written only by parseFileImportInput). */
export function fileImportDefinitionOf(row: FileImportRow): FileImportDefinition {
  return row.definition as FileImportDefinition // the stored JSON is a parsed FileImportDefinition
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

export function fileImportView(row: FileImportRow): FileImportView {
  const d = fileImportDefinitionOf(row)
  return {
    import_id: row.importId,
    name: row.name,
    version: row.version,
    source: d.source,
    type: d.type,
    format: d.format,
    id_column: d.id_column ?? null,
    event_column: d.event_column ?? null,
    time_column: d.time_column ?? null,
    datetime_columns: d.datetime_columns ?? [],
    string_columns: d.string_columns ?? [],
    schedule: d.schedule,
    next_run_at: iso(row.nextRunAt),
    last_triggered_at: iso(row.lastTriggeredAt),
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  }
}

const FIELDS = [
  'import_id',
  'name',
  'source',
  'type',
  'format',
  'id_column',
  'event_column',
  'time_column',
  'datetime_columns',
  'string_columns',
  'schedule',
] as const

function oneOf<T extends string>(raw: unknown, values: readonly T[], attribute: string): T {
  if (typeof raw !== 'string' || !(values as readonly string[]).includes(raw)) {
    throw new WorkspaceInputError(`${attribute} should be one of ${values.join(', ')}`, attribute)
  }
  return raw as T // checked above
}

function columns(raw: unknown, attribute: string): string[] | undefined {
  if (raw === undefined) return undefined
  if (!Array.isArray(raw) || raw.length > 500) {
    throw new WorkspaceInputError(`${attribute} should be an array of column names`, attribute)
  }
  return raw.map((c, i) => definitionText(c, `${attribute}[${i}]`))
}

function schedule(raw: unknown): FileImportSchedule {
  if (raw === undefined) return { type: 'ONETIME' }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new WorkspaceInputError('schedule should be an object', 'schedule')
  }
  const s = raw as Record<string, unknown> // a non-array object
  refuseUnknown(s, ['type', 'interval_minutes', 'daily_at'], 'schedule')
  const type = oneOf(s['type'], SCHEDULE_TYPES, 'schedule.type')
  const interval = s['interval_minutes']
  const daily = s['daily_at']
  if (type === 'ONETIME') {
    if (interval !== undefined || daily !== undefined) {
      throw new WorkspaceInputError(
        'a ONETIME schedule takes neither interval_minutes nor daily_at',
        'schedule',
      )
    }
    return { type }
  }
  if ((interval === undefined) === (daily === undefined)) {
    throw new WorkspaceInputError(
      'a PERIODIC schedule needs one of interval_minutes and daily_at',
      'schedule',
    )
  }
  if (interval !== undefined) {
    if (
      typeof interval !== 'number' ||
      !Number.isInteger(interval) ||
      interval < MIN_INTERVAL_MINUTES ||
      interval > MAX_INTERVAL_MINUTES
    ) {
      throw new WorkspaceInputError(
        `interval_minutes should be a whole number from ${MIN_INTERVAL_MINUTES} to ${MAX_INTERVAL_MINUTES}`,
        'schedule.interval_minutes',
      )
    }
    return { type, interval_minutes: interval }
  }
  if (typeof daily !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(daily)) {
    throw new WorkspaceInputError('daily_at should be a UTC time HH:MM', 'schedule.daily_at')
  }
  return { type, daily_at: daily }
}

/**
 * A definition from the admin API's body (snake_case); WorkspaceInputError naming the field.
 * `sourceProblem` says why a source is refused (undefined: taken).
 */
export function parseFileImportInput(
  raw: Record<string, unknown>,
  sourceProblem: (source: string) => string | undefined,
): FileImportInput {
  refuseUnknown(raw, FIELDS, '')
  const source = raw['source']
  if (typeof source !== 'string' || source === '' || source.length > 2048) {
    throw new WorkspaceInputError('source should be a URL of at most 2048 characters', 'source')
  }
  const problem = sourceProblem(source)
  if (problem !== undefined) throw new WorkspaceInputError(`source ${problem}`, 'source')
  const text = (field: string): Record<string, string> => {
    const value = raw[field]
    return value === undefined ? {} : { [field]: definitionText(value, field) }
  }
  const list = (field: string): Record<string, string[]> => {
    const value = columns(raw[field], field)
    return value === undefined ? {} : { [field]: value }
  }
  return {
    ...(raw['import_id'] === undefined
      ? {}
      : { importId: definitionId(raw['import_id'], 'import_id') }),
    name: definitionText(raw['name'], 'name'),
    definition: {
      source,
      type: oneOf(raw['type'], FILE_IMPORT_TYPES, 'type'),
      format: oneOf(raw['format'] ?? 'csv', FILE_IMPORT_FORMATS, 'format'),
      ...text('id_column'),
      ...text('event_column'),
      ...text('time_column'),
      ...list('datetime_columns'),
      ...list('string_columns'),
      schedule: schedule(raw['schedule']),
    },
  }
}

/** The first time after `after` at which the periodic `schedule` is due (null: not periodic). */
export function nextOccurrence(
  schedule: FileImportSchedule,
  from: number,
  after: number,
): number | null {
  if (schedule.type === 'ONETIME') return null
  if ('interval_minutes' in schedule) {
    const step = schedule.interval_minutes * MINUTE_MS
    const k = Math.max(1, Math.floor((after - from) / step) + 1)
    return from + k * step
  }
  const [h, m] = schedule.daily_at.split(':').map(Number)
  const dayStart = Math.floor(after / DAY_MS) * DAY_MS
  const today = dayStart + ((h ?? 0) * 60 + (m ?? 0)) * MINUTE_MS
  return today > after ? today : today + DAY_MS
}

/** Remove takes the import's runs with it. */
export type FileImports = Readonly<{
  list(workspaceId: string): Promise<FileImportView[]>
  get(workspaceId: string, importId: string): Promise<FileImportView | undefined>
  /** Creates the import (its id generated unless given) or replaces the one its id names. */
  put(workspaceId: string, input: FileImportInput): Promise<FileImportView>
  remove(workspaceId: string, importId: string): Promise<boolean>
}>

export function createFileImports(deps: DefinitionDeps): FileImports {
  const { store, clock, ids } = deps
  const repo = store.fileImports
  const reads = definitionReads(
    store,
    {
      all: (ws) => repo.imports(ws),
      one: (ws, id) => repo.import(ws, id),
      remove: (ws, id) => repo.removeImport(ws, id),
    },
    fileImportView,
  )
  return {
    list: reads.list,
    get: reads.get,
    remove: reads.remove,
    put: async (workspaceId, input) => {
      await reads.existing(workspaceId)
      const before =
        input.importId === undefined ? undefined : await repo.import(workspaceId, input.importId)
      if (before === undefined && (await repo.imports(workspaceId)).length >= MAX_FILE_IMPORTS) {
        throw new WorkspaceInputError(
          `a workspace has at most ${MAX_FILE_IMPORTS} file imports`,
          'import_id',
        )
      }
      const now = clock.now()
      const s = input.definition.schedule
      // ONETIME: due at once when defined (kept as it was on a change: a run is not repeated);
      // PERIODIC: an interval's first run at once, a daily one at its next time.
      const nextRunAt =
        s.type === 'ONETIME'
          ? before?.scheduleType === 'ONETIME'
            ? before.nextRunAt
            : now
          : 'interval_minutes' in s
            ? now
            : nextOccurrence(s, now, now)
      const row: FileImportRow = {
        workspaceId,
        importId: input.importId ?? ids.userId(now),
        name: input.name,
        version: (before?.version ?? 0) + 1,
        definition: input.definition,
        scheduleType: s.type,
        nextRunAt,
        lastTriggeredAt: before?.lastTriggeredAt ?? null,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      }
      await refusingTakenName(() => repo.putImport(row), 'import')
      return fileImportView(row)
    },
  }
}
