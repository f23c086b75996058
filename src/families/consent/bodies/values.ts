/**
 * What the consent family's body checks share: JSON values named as the Python-backed MoEngage
 * pages name them in their type errors (`<class 'str'>`, `False`), the one-field checks that throw
 * the catalogue's codes, and the category names of a request checked against the workspace's
 * active categories (one invalid name fails the whole request).
 */
import { AppError } from '../../../core/errors.js'
import type { SubscriptionCategoryRow } from '../../../store/store.js'

export type Json = Record<string, unknown>

export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The Python type MoEngage's type errors name for a JSON value. */
export function pythonType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  if (typeof v === 'string') return 'str'
  return Array.isArray(v) ? 'list' : 'dict'
}

/** A JSON value as Python prints it in those errors (`False`, `None`), shortened to 100 chars. */
export function pythonValue(v: unknown): string {
  if (v === null || v === undefined) return 'None'
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v)
  return text.length > 100 ? `${text.slice(0, 97)}...` : text
}

const EXPECTED = {
  str: "<class 'str'>",
  bool: "<class 'bool'>",
  dict: "<class 'dict'>",
  list: "<class 'list'>",
}

/** `consent_wrong_type` for `key` holding `value` where a `expected` was due. */
export function wrongType(key: string, expected: keyof typeof EXPECTED, value: unknown): AppError {
  return new AppError('consent_wrong_type', {
    params: {
      key,
      expected: EXPECTED[expected],
      got: pythonType(value),
      value: pythonValue(value),
    },
  })
}

/** `body[key]` when a string (undefined when absent or null), else the type error. */
export function optionalString(body: Json, key: string, name = key): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw wrongType(name, 'str', v)
  return v
}

/** `body[key]` as a boolean: `consent_field_required` when absent, the type error otherwise. */
export function requiredBoolean(body: Json, key: string, name = key): boolean {
  const v = body[key]
  if (v === undefined || v === null)
    throw new AppError('consent_field_required', { params: { key: name } })
  if (typeof v !== 'boolean') throw wrongType(name, 'bool', v)
  return v
}

/** Refuses keys of `body` other than `known` (`consent_extra_key` naming the first). */
export function onlyKeys(body: Json, known: readonly string[]): void {
  const extra = Object.keys(body).find((k) => !known.includes(k))
  if (extra !== undefined) throw new AppError('consent_extra_key', { params: { key: extra } })
}

/** A categories object: each value a boolean (the type error names the category). */
export function categoryChoices(raw: Json): Record<string, boolean> {
  const out: Record<string, boolean> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'boolean') throw wrongType(name, 'bool', value)
    Object.defineProperty(out, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

/**
 * Checks every name of `names` against the workspace's active categories: all known, or the
 * request fails — `consent_no_active_categories` when the workspace has none,
 * `consent_categories_all_invalid` when none is known (if `allInvalid`: Email opt-in tells them
 * apart), `consent_categories_invalid` naming the unknown ones otherwise.
 */
export function checkCategories(
  names: readonly string[],
  defined: readonly SubscriptionCategoryRow[],
  options: { allInvalid: boolean },
): void {
  if (names.length === 0) return
  const active = new Set(defined.filter((c) => c.active).map((c) => c.name))
  if (active.size === 0) throw new AppError('consent_no_active_categories')
  const unknown = [...new Set(names.filter((n) => !active.has(n)))]
  if (unknown.length === 0) return
  if (options.allInvalid && unknown.length === new Set(names).size) {
    throw new AppError('consent_categories_all_invalid')
  }
  throw new AppError('consent_categories_invalid', { params: { names: unknown.join(', ') } })
}
