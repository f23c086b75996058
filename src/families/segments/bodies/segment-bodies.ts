/**
 * The segments family's requests, checked at the edge (moengage-other-apis.md §2.1): a create
 * body (`name`, `included_filters`), an update body (`included_filters`, optional `name` and
 * `updated_by`), the list's `?name=`, and the query of Inlet's member reads (`limit`, `cursor`,
 * `fields`, `format`). A request not formed as documented is `segment_invalid_request`; a name
 * with HTML characters, only whitespace or past NAME_MAX_LENGTH is `segment_name_invalid`. The
 * filters themselves are the engine's to check (segments/parse.ts). Keys the pages do not name
 * are ignored, as MoEngage's generator adds some (`category`, `project_name`).
 */
import { AppError } from '../../../core/errors.js'

/** Inlet's bound on a segment name (MoEngage states none). */
export const NAME_MAX_LENGTH = 255

/** Members per page of `/users`: the default and the most. */
export const MEMBER_PAGE = Object.freeze({ default: 100, max: 1_000 })

export type CreateBody = Readonly<{ name: string; includedFilters: unknown }>
export type UpdateBody = Readonly<{
  name?: string
  includedFilters: unknown
  updatedBy: string | null
}>

const invalid = (): AppError => new AppError('segment_invalid_request')

/** "HTML characters": a tag's brackets. */
const HTML = /[<>]/

function checkName(name: unknown): string {
  if (typeof name !== 'string') throw invalid()
  if (name.trim() === '' || HTML.test(name) || name.length > NAME_MAX_LENGTH) {
    throw new AppError('segment_name_invalid')
  }
  return name
}

function filtersOf(body: Readonly<Record<string, unknown>>): unknown {
  const filters = body['included_filters']
  if (filters === undefined || filters === null) throw invalid()
  return filters
}

export function parseCreateBody(body: Readonly<Record<string, unknown>>): CreateBody {
  if (!Object.hasOwn(body, 'name')) throw invalid()
  const includedFilters = filtersOf(body)
  return { name: checkName(body['name']), includedFilters }
}

/** A plain `local@domain` address. */
const EMAIL = /^[^\s@]+@[^\s@]+$/

export function parseUpdateBody(body: Readonly<Record<string, unknown>>): UpdateBody {
  const includedFilters = filtersOf(body)
  const by = body['updated_by']
  if (by !== undefined && by !== null && (typeof by !== 'string' || !EMAIL.test(by))) {
    throw invalid()
  }
  const updatedBy = typeof by === 'string' ? by : null
  const name = body['name']
  return name === undefined || name === null
    ? { includedFilters, updatedBy }
    : { name: checkName(name), includedFilters, updatedBy }
}

type Query = Readonly<Record<string, unknown>>

/** A query parameter given at most once: its text, or undefined. */
function single(query: Query, key: string): string | undefined {
  const value = query[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw invalid()
  return value
}

/** The list's `?name=` (an exact name), if given. */
export function parseListQuery(query: Query): { name?: string } {
  const name = single(query, 'name')
  return name === undefined ? {} : { name }
}

export type MemberFormat = 'json' | 'csv' | 'jsonl'

export type MemberQuery = Readonly<{
  format: MemberFormat
  limit: number
  /** The internal id members come after (the cursor's), if any. */
  afterId?: string
  /** The attributes asked for, by the names asked (`fields`); undefined: all of them. */
  fields?: readonly string[]
}>

const CURSOR_PREFIX = 'm1:'

/** The opaque cursor of the page after `afterId`. */
export function cursorOf(afterId: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${afterId}`, 'utf8').toString('base64url')
}

function afterIdOf(cursor: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : ''
  if (!text.startsWith(CURSOR_PREFIX) || text.length === CURSOR_PREFIX.length) throw invalid()
  return text.slice(CURSOR_PREFIX.length)
}

/**
 * `/users`' query: `format` json (pages, the default), csv or jsonl (every member,
 * streamed: no `limit` or `cursor`); `limit` 1 to MEMBER_PAGE.max; `cursor` as a page answered
 * it; `fields` a comma-separated list of attribute names (empty: none).
 */
export function parseMemberQuery(query: Query): MemberQuery {
  const format = single(query, 'format') ?? 'json'
  if (format !== 'json' && format !== 'csv' && format !== 'jsonl') throw invalid()
  const limitText = single(query, 'limit')
  const cursor = single(query, 'cursor')
  if (format !== 'json' && (limitText !== undefined || cursor !== undefined)) throw invalid()
  let limit: number = MEMBER_PAGE.default
  if (limitText !== undefined) {
    if (!/^[0-9]{1,7}$/.test(limitText)) throw invalid()
    limit = Number(limitText)
    if (limit < 1 || limit > MEMBER_PAGE.max) throw invalid()
  }
  const fieldsText = single(query, 'fields')
  const fields =
    fieldsText === undefined
      ? undefined
      : [...new Set(fieldsText.split(',').map((f) => f.trim()))].filter((f) => f !== '')
  return {
    format,
    limit,
    ...(cursor === undefined ? {} : { afterId: afterIdOf(cursor) }),
    ...(fields === undefined ? {} : { fields }),
  }
}
