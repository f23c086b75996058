/**
 * The dashboard API's query parameters: page tokens (a store position as base64url JSON, opaque to
 * the browser), page sizes and plain strings, each refused with `dashboard_invalid_input` when it
 * cannot be used.
 */
import { AppError } from '../../core/errors.js'
import type { PagePosition } from '../../store/browse.js'

export const PAGE_SIZE = 50

const invalid = (attribute: string, detail: string): AppError =>
  new AppError('dashboard_invalid_input', { params: { attribute, detail } })

export function encodePage(position: PagePosition | null): string | null {
  return position === null ? null : Buffer.from(JSON.stringify(position)).toString('base64url')
}

export function decodePage(
  token: string | undefined,
  attribute = 'page',
): PagePosition | undefined {
  if (token === undefined || token === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch {
    throw invalid(attribute, `${attribute} is not a page token this dashboard gave`)
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > 2 ||
    !value.every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    throw invalid(attribute, `${attribute} is not a page token this dashboard gave`)
  }
  return value
}

/** A query string parameter: absent, or one string (a repeated parameter is refused). */
export function param(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw invalid(name, `${name} should be given once`)
  return value
}

/** A whole number parameter within [min, max]. */
export function intParam(
  query: unknown,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = param(query, name)
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalid(name, `${name} should be a whole number from ${min} to ${max}`)
  }
  return n
}

/** One of `values`, or undefined when absent. */
export function oneOfParam<T extends string>(
  query: unknown,
  name: string,
  values: readonly T[],
): T | undefined {
  const raw = param(query, name)
  if (raw === undefined || raw === '') return undefined
  if (!(values as readonly string[]).includes(raw)) {
    throw invalid(name, `${name} should be one of ${values.join(', ')}`)
  }
  return raw as T // checked against values above
}
