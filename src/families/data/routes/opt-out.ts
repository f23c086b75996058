/**
 * Device Opt-out `POST /v1/devices/manage?app_id=` (spec §7.5): validates the body, logs one
 * `device_opt_out` record (durable before the 200) and answers the §4.1 envelope; the processor
 * blocks or unblocks the devices and notes which, visible through GET /inlet/v1/requests/{id}.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../../core/config.js'
import type { Governance } from '../../../governance/governance.js'
import type { Ingest } from '../../../ingest/accept.js'
import { parseDeviceOptOut } from '../bodies/opt-out-bodies.js'
import { ACCEPTED_SCHEMA, acceptedBody, bodyOf, dataRoute, workspaceRowOf } from '../../../http/route.js'

export type OptOutRouteDeps = Readonly<{ ingest: Ingest; config: Config; governance: Governance }>

export function optOutRoutes(root: FastifyInstance, api: FastifyInstance, deps: OptOutRouteDeps) {
  // Declared as merges.ts declares its route: they share dataRoute's form, not their steps.
  dataRoute(root, api, {
    url: '/v1/devices/manage',
    endpoint: 'opt_out',
    bodyLimitBytes: deps.config.bodyLimitBytes,
    responseSchema: ACCEPTED_SCHEMA,
    handler: async (request: FastifyRequest) => {
      const workspace = workspaceRowOf(request)
      deps.governance.observe(request, workspace, ['device_opt_out'])
      const payload = parseDeviceOptOut(bodyOf(request))
      // spec §5.1: Device opt-out is limited in requests per minute.
      await deps.governance.admit(request, workspace, [{ quota: 'device_opt_out', amount: 1 }])
      await deps.ingest.accept({ workspaceId: workspace.id, requestId: request.id, api: 'opt_out' }, [
        { kind: 'device_opt_out', customerId: payload.customer_id, payload },
      ])
      return acceptedBody(request.id)
    },
  })
}
