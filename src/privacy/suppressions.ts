/**
 * The suppression list as the operator sees it (spec §7.12, Inlet): the view of one entry (its
 * type, hash, request and time — never a value, which is not kept) and the input that lifts
 * entries, shared by the admin API and `inlet suppressions`: an identity (`identity_type` +
 * `identity_value`, hashed as the erasure hashed it) or every entry of one GDPR request.
 */
import type { SuppressionRow } from '../store/store.js'
import { WorkspaceInputError } from '../workspaces/changes.js'
import { GDPR_IDENTITY_TYPES, isGdprIdentityType } from '../core/records.js'
import { suppressionHash } from './gdpr.js'

export type SuppressionView = {
  identity_type: string
  hash: string
  request_id: string
  created_at: string
}

export function suppressionView(row: SuppressionRow): SuppressionView {
  return {
    identity_type: row.identityType,
    hash: row.hash,
    request_id: row.requestId,
    created_at: new Date(row.createdAt).toISOString(),
  }
}

export type LiftBy = Readonly<{ hashes?: readonly string[]; requestId?: string }>

/** `{identity_type, identity_value}` or `{request_id}`; anything else is an input error. */
export function liftInput(workspaceId: string, body: Record<string, unknown>): LiftBy {
  const { identity_type: type, identity_value: value, request_id: requestId, ...rest } = body
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) {
    throw new WorkspaceInputError(
      `${unknown} is not a known field (known: identity_type, identity_value, request_id)`,
      unknown,
    )
  }
  if (requestId !== undefined) {
    if (typeof requestId !== 'string' || requestId === '') {
      throw new WorkspaceInputError('request_id should be a GDPR request id', 'request_id')
    }
    if (type !== undefined || value !== undefined) {
      throw new WorkspaceInputError(
        'give either request_id or identity_type with identity_value, not both',
        'request_id',
      )
    }
    return { requestId }
  }
  if (typeof type !== 'string' || !isGdprIdentityType(type)) {
    throw new WorkspaceInputError(
      `identity_type should be one of ${GDPR_IDENTITY_TYPES.join(', ')} (or give request_id)`,
      'identity_type',
    )
  }
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string' || text === '') {
    throw new WorkspaceInputError('identity_value should be the erased value', 'identity_value')
  }
  return { hashes: [suppressionHash(workspaceId, type, text)] }
}
