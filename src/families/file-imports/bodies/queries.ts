/**
 * The bodies of File Imports' status (`/fileimports/import/status`) and run history
 * (`/fileimports/import/run/history`) requests (spec §7.9): their filters — enum values
 * case-sensitive, each given as an array (the pages' examples) or a single string (their schema);
 * `date` as `{start_date, end_date, format}` in one of the eight documented formats, at most 30
 * days apart; `offset` a page of 50 from 1, as a number or its digits — each refusal the
 * documented 400 of the catalogue's `file_import_*` entries.
 */
import { AppError } from '../../../core/errors.js'

/** Items per page (spec §7.9: "a maximum of 50 file details in a single response"). */
export const PAGE_SIZE = 50
const DAY_MS = 86_400_000
/** The longest span of `date` (spec §7.9: "a date difference of 30"). */
export const MAX_SPAN_DAYS = 30

export const IMPORT_TYPES = ['USERS', 'EVENTS', 'AUX_DATA'] as const
export const SCHEDULE_TYPES = ['PERIODIC', 'ONETIME'] as const
export const FILE_SOURCES = ['SFTP', 'S3', 'CSV'] as const
export const SCHEDULE_STATUSES = [
  'SUCCESSFUL',
  'FAILED',
  'PARTIAL_SUCCESS',
  'SCHEDULED',
  'PROCESSING',
  'QUEUED',
  'ARCHIVED',
] as const
export const FILE_STATUSES = [
  'SUCCESSFUL',
  'FAILED',
  'PARTIAL_SUCCESS',
  'PROCESSING',
  'QUEUED',
  'WAITING',
] as const

/** A time range, inclusive, in epoch ms. */
export type DateRange = Readonly<{ from: number; to: number }>

export type StatusQuery = Readonly<{
  importName?: string
  importTypes?: readonly string[]
  scheduleTypes?: readonly string[]
  fileSources?: readonly string[]
  statuses?: readonly string[]
  date?: DateRange
  offset: number
}>

export type HistoryQuery = Readonly<{
  importId?: string
  importName?: string
  fileStatuses?: readonly string[]
  date?: DateRange
  offset: number
}>

const unprocessable = (): AppError => new AppError('file_import_unprocessable')

/** An enum filter: undefined when absent; a value it does not list is a 400. */
function filter(raw: unknown, values: readonly string[]): readonly string[] | undefined {
  if (raw === undefined || raw === null) return undefined
  const list = typeof raw === 'string' ? [raw] : raw
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || !values.includes(v))) {
    throw unprocessable()
  }
  return list as string[] // every item checked above
}

function text(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== 'string') throw unprocessable()
  return raw
}

/** The page asked for: 1 when absent; a number or digits from 1. */
function offsetOf(raw: unknown): number {
  if (raw === undefined || raw === null) return 1
  const n = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : raw
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new AppError('file_import_offset')
  }
  return n
}

/** The documented formats, each as a pattern of its fields. */
const FORMATS: Readonly<Record<string, RegExp>> = {
  'YYYY-MM-DD': /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})$/,
  'YYYY/MM/DD': /^(?<y>\d{4})\/(?<m>\d{2})\/(?<d>\d{2})$/,
  'DD/MM/YYYY': /^(?<d>\d{2})\/(?<m>\d{2})\/(?<y>\d{4})$/,
  'DD-MM-YYYY': /^(?<d>\d{2})-(?<m>\d{2})-(?<y>\d{4})$/,
  'DD-MM-YYYY hh:mm:ss':
    /^(?<d>\d{2})-(?<m>\d{2})-(?<y>\d{4}) (?<H>\d{2}):(?<M>\d{2}):(?<S>\d{2})$/,
  'DD/MM/YYYY hh:mm:ss':
    /^(?<d>\d{2})\/(?<m>\d{2})\/(?<y>\d{4}) (?<H>\d{2}):(?<M>\d{2}):(?<S>\d{2})$/,
  'YYYY-MM-DD hh:mm:ss':
    /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2}) (?<H>\d{2}):(?<M>\d{2}):(?<S>\d{2})$/,
  'YYYY/MM/DD hh:mm:ss':
    /^(?<y>\d{4})\/(?<m>\d{2})\/(?<d>\d{2}) (?<H>\d{2}):(?<M>\d{2}):(?<S>\d{2})$/,
}

/** `value` in `format` as epoch ms (UTC), or undefined when it is not one. */
function parseDate(value: unknown, format: string): { ms: number; timed: boolean } | undefined {
  const pattern = FORMATS[format]
  if (pattern === undefined || typeof value !== 'string') return undefined
  const g = pattern.exec(value)?.groups
  if (g === undefined) return undefined
  const [y, m, d, H, M, S] = [
    g['y'],
    g['m'],
    g['d'],
    g['H'] ?? '0',
    g['M'] ?? '0',
    g['S'] ?? '0',
  ].map(Number) as [number, number, number, number, number, number]
  const ms = Date.UTC(y, m - 1, d, H, M, S)
  const back = new Date(ms)
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== m - 1 ||
    back.getUTCDate() !== d ||
    H > 23 ||
    M > 59 ||
    S > 59
  ) {
    return undefined
  }
  return { ms, timed: g['H'] !== undefined }
}

/** `date` as a range: its end date covers its whole day when the format has no time. */
function dateRange(raw: unknown): DateRange | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('file_import_date_format')
  const date = raw as Record<string, unknown> // a non-array object
  const format = date['format']
  if (typeof format !== 'string') throw new AppError('file_import_date_format')
  const start = parseDate(date['start_date'], format)
  const end = parseDate(date['end_date'], format)
  if (start === undefined || end === undefined || end.ms < start.ms) {
    throw new AppError('file_import_date_format')
  }
  if (end.ms - start.ms > MAX_SPAN_DAYS * DAY_MS) throw new AppError('file_import_date_range')
  return { from: start.ms, to: end.timed ? end.ms : end.ms + DAY_MS - 1 }
}

function object(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) throw unprocessable()
  return body as Record<string, unknown> // a non-array object
}

export function parseStatusQuery(body: unknown): StatusQuery {
  const b = object(body)
  const importName = text(b['import_name'])
  const importTypes = filter(b['import_type'], IMPORT_TYPES)
  const scheduleTypes = filter(b['schedule_type'], SCHEDULE_TYPES)
  const fileSources = filter(b['file_source'], FILE_SOURCES)
  const statuses = filter(b['schedule_status'], SCHEDULE_STATUSES)
  const date = dateRange(b['date'])
  return {
    ...(importName === undefined ? {} : { importName }),
    ...(importTypes === undefined ? {} : { importTypes }),
    ...(scheduleTypes === undefined ? {} : { scheduleTypes }),
    ...(fileSources === undefined ? {} : { fileSources }),
    ...(statuses === undefined ? {} : { statuses }),
    ...(date === undefined ? {} : { date }),
    offset: offsetOf(b['offset']),
  }
}

export function parseHistoryQuery(body: unknown): HistoryQuery {
  const b = object(body)
  const importId = text(b['import_id'])
  const importName = text(b['import_name'])
  if ((importId ?? '') === '' && (importName ?? '') === '') {
    throw new AppError('file_import_history_not_found')
  }
  const fileStatuses = filter(b['file_status'], FILE_STATUSES)
  const date = dateRange(b['date'])
  return {
    ...(importId === undefined || importId === '' ? {} : { importId }),
    ...(importName === undefined ? {} : { importName }),
    ...(fileStatuses === undefined ? {} : { fileStatuses }),
    ...(date === undefined ? {} : { date }),
    offset: offsetOf(b['offset']),
  }
}

/** The page `offset` of `items`; an offset past the last page of a non-empty list is a 400. */
export function pageOf<T>(items: readonly T[], offset: number): { page: T[]; more: boolean } {
  const start = (offset - 1) * PAGE_SIZE
  if (items.length > 0 && start >= items.length) throw new AppError('file_import_offset')
  return { page: items.slice(start, start + PAGE_SIZE), more: start + PAGE_SIZE < items.length }
}
