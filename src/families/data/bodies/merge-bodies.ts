/**
 * Validation of Merge Users bodies (spec §7.7) and their turning into `merge` log records: one
 * record per pair, in order, under the retained user's customer id.
 */
import { AppError } from '../../../core/errors.js'
import type { MergePayload } from '../../../core/records.js'
import { MAX_ID_LENGTH, checkLength } from './limits.js'

/** spec §7.7: "≤ 50 users per call". */
export const MAX_MERGE_PAIRS = 50

const STRING_TYPE = 'String or Unicode String.'

export type MergeRecord = { kind: 'merge'; customerId: string; payload: MergePayload }

export function parseMerge(body: Record<string, unknown>): MergeRecord[] {
  const data = body['merge_data']
  if (data === undefined || data === null) throw new AppError('merge_data_missing')
  if (!Array.isArray(data) || data.length === 0) throw new AppError('merge_data_empty')
  if (data.length > MAX_MERGE_PAIRS) throw new AppError('merge_data_limit')
  return data.map((pair: unknown) => {
    const p = typeof pair === 'object' && pair !== null ? (pair as Record<string, unknown>) : {}
    const merged = userOf(p, 'merged_user')
    const retained = userOf(p, 'retained_user')
    return {
      kind: 'merge',
      customerId: retained,
      payload: { merged_user: merged, retained_user: retained },
    }
  })
}

function userOf(pair: Record<string, unknown>, key: 'merged_user' | 'retained_user'): string {
  const v = pair[key]
  if (v === undefined || v === null) throw new AppError('field_missing', { params: { key } })
  // spec §7.7: `merged_user is expected to be String or Unicode String.`
  if (typeof v !== 'string' || v === '') {
    throw new AppError('attribute_type', { params: { key, datatype: STRING_TYPE } })
  }
  checkLength(key, v, MAX_ID_LENGTH) // a customer id (limits.ts)
  return v
}
