/**
 * Validation of GDPR / CCPA request bodies (spec §7.12): the four required keys in the order of
 * the documented schema (`request_type`, `submitted_time`, `identities`, `api_version`), only
 * `erasure` as the request type, and one or more identities of the documented types — all naming
 * one person (every user matching any of them is erased), each value at most MAX_ID_LENGTH
 * characters.
 */
import { AppError } from '../../../core/errors.js'
import {
  GDPR_IDENTITY_TYPES,
  isGdprIdentityType,
  type GdprErasurePayload,
  type GdprIdentity,
} from '../../../core/records.js'
import { MAX_ID_LENGTH, checkLength } from './limits.js'

/** Identities per request: one person's (MoEngage: "one user per payload"). */
export const MAX_GDPR_IDENTITIES = 20

const TYPES_TEXT = `[${GDPR_IDENTITY_TYPES.map((t) => `'${t}'`).join(', ')}]`

function invalid(key: string, detail: string): AppError {
  return new AppError('gdpr_value_invalid', { params: { key, detail } })
}

function present(body: Record<string, unknown>, key: string): unknown {
  const v = body[key]
  if (v === undefined || v === null) throw new AppError('field_missing', { params: { key } })
  return v
}

function text(body: Record<string, unknown>, key: string): string {
  const v = present(body, key)
  if (typeof v !== 'string') {
    throw new AppError('attribute_type', { params: { key, datatype: 'String or Unicode String.' } })
  }
  return v
}

export function parseGdprRequest(body: Record<string, unknown>): GdprErasurePayload {
  const requestType = text(body, 'request_type')
  if (requestType !== 'erasure') {
    throw invalid('request_type', "request_type should be one of ['erasure']")
  }
  const submitted = text(body, 'submitted_time')
  if (Number.isNaN(Date.parse(submitted))) {
    throw invalid(
      'submitted_time',
      'submitted_time should be an ISO 8601 date-time, e.g. 2018-10-05T15:00:00Z',
    )
  }
  const raw = present(body, 'identities')
  if (!Array.isArray(raw)) {
    throw new AppError('attribute_type', { params: { key: 'identities', datatype: 'Array' } })
  }
  if (raw.length === 0) throw invalid('identities', 'identities can not be empty Array')
  if (raw.length > MAX_GDPR_IDENTITIES) {
    throw invalid(
      'identities',
      `identities can hold at most ${MAX_GDPR_IDENTITIES} identities of one user`,
    )
  }
  const identities = raw.map((item: unknown): GdprIdentity => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw invalid(
        'identities',
        'each identity should be an object with identity_type and identity_value',
      )
    }
    const entry = item as Record<string, unknown> // a non-array object
    const type = text(entry, 'identity_type')
    if (!isGdprIdentityType(type)) {
      throw invalid('identity_type', `identity_type should be one of ${TYPES_TEXT}`)
    }
    const v = present(entry, 'identity_value')
    // A mobile number or an ID is often sent as a number: it is matched as its text.
    const value = typeof v === 'number' && Number.isFinite(v) ? String(v) : v
    if (typeof value !== 'string') {
      throw new AppError('attribute_type', {
        params: { key: 'identity_value', datatype: 'String or Unicode String.' },
      })
    }
    if (value.trim() === '') throw invalid('identity_value', 'identity_value can not be empty')
    // Every identity is an id or an email / mobile number: bounded like every id (limits.ts). An
    // ID over the bound names no user Inlet accepted; a 400 says so where a 200 would erase nothing.
    checkLength('identity_value', value, MAX_ID_LENGTH)
    return { identity_type: type, identity_value: value }
  })
  const apiVersion = text(body, 'api_version')
  return {
    request_type: 'erasure',
    submitted_time: submitted,
    api_version: apiVersion,
    identities,
  }
}
