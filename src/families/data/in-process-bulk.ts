/**
 * Bulk Import without HTTP, for the imports that run inside the server (File Imports,
 * families/file-imports): the client SDK's `bulkImport` answered by validating the elements as
 * Bulk Import does (strict: an invalid element refuses the body with its 400, so the import halves
 * it down to the row at fault) and handing the records to ingest under the body's
 * `Idempotency-Key` as its request id, at most once (idempotency.ts) — so a resumed run that sends
 * its in-flight body again logs it once. Refusals are the client's errors carrying the Data
 * family's strings for Bulk (the catalogue's `bulk` variants). The workspace must be active.
 */
import {
  DataApiError,
  ForbiddenError,
  PayloadTooLargeError,
  ValidationError,
  type BulkElement,
  type DataApiClient,
} from '../../client/index.js'
import { familyWireError } from '../../core/error-catalogue.js'
import { AppError } from '../../core/errors.js'
import type { JsonObject } from '../../core/records.js'
import type { Ingest } from '../../ingest/accept.js'
import type { Store } from '../../store/store.js'
import { readSettings } from '../../workspaces/settings.js'
import { parseBulk } from './bulk-rows.js'
import { createIdempotency } from './idempotency.js'

export type BulkClient = Pick<DataApiClient, 'bulkImport'>

/** The client error of an AppError, with the Data family's Bulk strings. */
function clientError(err: AppError, requestId: string): DataApiError {
  const wire = familyWireError('data', err.code, 'bulk', err.params)
  const details = {
    status: wire.status,
    type: wire.type,
    message: wire.message,
    ...(wire.attribute === undefined ? {} : { attribute: wire.attribute }),
    requestId,
    body: undefined,
  }
  if (wire.status === 400) return new ValidationError(details)
  if (wire.status === 413) return new PayloadTooLargeError(details)
  if (wire.status === 403) return new ForbiddenError(details)
  return new DataApiError(details)
}

/** `clientFor(workspaceId)`: Bulk Import into that workspace, in process. */
export function createInProcessBulk(deps: Readonly<{ store: Store; ingest: Ingest }>) {
  const { store, ingest } = deps
  const idempotency = createIdempotency(
    async (workspaceId, requestId) =>
      (await store.log.recordsOfRequest(workspaceId, requestId)).length > 0,
  )
  return (workspaceId: string): BulkClient => ({
    async bulkImport(elements: readonly BulkElement[], options = {}) {
      const key = options.idempotencyKey
      if (key === undefined) throw new Error('an in-process Bulk Import needs an Idempotency-Key')
      const workspace = await store.workspaces.get(workspaceId)
      if (workspace === undefined || workspace.state !== 'active') {
        throw clientError(new AppError('account_suspended'), key)
      }
      const settings = readSettings(workspace.settings)
      let records
      try {
        const body = { type: 'transition', elements } as unknown as JsonObject // BulkElements are JSON
        records = parseBulk(body, {
          strict: true,
          ...(settings.identityResolution ? { identifiers: settings.identifiers } : {}),
        })
      } catch (err) {
        if (err instanceof AppError) throw clientError(err, key)
        throw err
      }
      await idempotency.once(workspaceId, key, () =>
        ingest.accept({ workspaceId, requestId: key, api: 'bulk' }, records),
      )
      return { status: 'success', message: 'Your request has been accepted and will be processed soon.', request_id: key }
    },
  })
}
