/**
 * Validation of Delete Users bodies (spec §7.8): `identity_type` (`customer_id`, or the internal
 * id as `id` / `moengage_id`) and `identity_value` (an id: at most MAX_ID_LENGTH characters), one
 * user per request.
 */
import { AppError } from '../../../core/errors.js'
import { MAX_ID_LENGTH, checkLength } from './limits.js'

export type DeleteIdentity = Readonly<{ type: 'customer_id' | 'id'; value: string; given: string }>

const TYPES: Readonly<Record<string, 'customer_id' | 'id'>> = {
  customer_id: 'customer_id',
  id: 'id',
  moengage_id: 'id',
}

export function parseDelete(body: Record<string, unknown>): DeleteIdentity {
  const given = stringField(body, 'identity_type')
  const value = stringField(body, 'identity_value')
  const type = Object.hasOwn(TYPES, given) ? TYPES[given] : undefined
  if (type === undefined) throw new AppError('delete_identity_type_invalid')
  checkLength('identity_value', value, MAX_ID_LENGTH)
  return { type, value, given }
}

function stringField(body: Record<string, unknown>, key: string): string {
  const v = body[key]
  if (v === undefined || v === null) throw new AppError('field_missing', { params: { key } })
  if (typeof v !== 'string' || v === '') {
    throw new AppError('attribute_type', { params: { key, datatype: 'String or Unicode String.' } })
  }
  return v
}
