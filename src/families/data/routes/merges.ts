/**
 * Merge Users `POST /v1/customer/merge?app_id=` (spec §7.7): validates the pairs, logs one `merge`
 * record per pair (durable before the 200) and answers `{"status":"success","operation":"created"}`.
 * The processor applies each pair; a failing pair is skipped with its reason. Inlet's extension
 * `POST /inlet/v1/merges/{merge_id}/undo` logs the undo of one merge the same way.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../../core/config.js'
import { AppError } from '../../../core/errors.js'
import type { Governance } from '../../../governance/governance.js'
import type { Ingest } from '../../../ingest/accept.js'
import type { Store } from '../../../store/store.js'
import { parseMerge } from '../bodies/merge-bodies.js'
import { readSettings } from '../../../workspaces/settings.js'
import {
  acceptedBody,
  bodyOf,
  dataRoute,
  stringFieldsSchema,
  workspaceRowOf,
} from '../../../http/route.js'

export type MergeRouteDeps = Readonly<{
  ingest: Ingest
  config: Config
  store: Store
  governance: Governance
}>

const MERGE_SCHEMA = stringFieldsSchema('status', 'operation', 'request_id')

export function mergeRoutes(root: FastifyInstance, api: FastifyInstance, deps: MergeRouteDeps) {
  // Declared as opt-out.ts declares its route: they share dataRoute's form, not their steps.
  dataRoute(root, api, {
    url: '/v1/customer/merge',
    endpoint: 'merge',
    bodyLimitBytes: deps.config.bodyLimitBytes,
    responseSchema: MERGE_SCHEMA,
    handler: async (request: FastifyRequest) => {
      const workspace = workspaceRowOf(request)
      deps.governance.observe(request, workspace, ['merge'])
      // spec §6.2: "Merge API is disabled when Identity Resolution is on".
      if (readSettings(workspace.settings).identityResolution) throw new AppError('merge_disabled')
      const records = parseMerge(bodyOf(request))
      // spec §5.1: Merge is limited in user updates per minute; one pair counts as one.
      await deps.governance.admit(request, workspace, [{ quota: 'merge', amount: records.length }])
      await deps.ingest.accept(
        { workspaceId: workspace.id, requestId: request.id, api: 'merge' },
        records,
      )
      return { status: 'success', operation: 'created', request_id: request.id }
    },
  })
}

/** Inlet: undo one merge. Registered behind the Inlet gateway (same Basic credentials). */
export function mergeUndoRoutes(api: FastifyInstance, deps: Omit<MergeRouteDeps, 'governance'>) {
  api.post('/inlet/v1/merges/:merge_id/undo', async (request: FastifyRequest) => {
    const workspace = workspaceRowOf(request)
    const { merge_id: given } = request.params as { merge_id: string } // route param
    const id = /^\d{1,15}$/.test(given) ? Number(given) : undefined
    const merge = id === undefined ? undefined : await deps.store.profiles.merge(workspace.id, id)
    if (merge === undefined || id === undefined) {
      throw new AppError('merge_not_found', { params: { merge_id: given } })
    }
    const before = JSON.parse(merge.before) as { before: { merged: { customerId: string | null } } }
    await deps.ingest.accept({ workspaceId: workspace.id, requestId: request.id, api: 'inlet' }, [
      {
        kind: 'merge_undo',
        // The merged user's customer id: the processor loads whoever holds it now.
        customerId: before.before.merged.customerId,
        payload: { merge_id: id },
      },
    ])
    return acceptedBody(request.id)
  })
}
