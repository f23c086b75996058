/**
 * Delete Users `POST /v1/customer/delete?app_id=` and its legacy alias `/v1/customer/delete/bulk`
 * (spec §7.8): the user must exist when the request arrives (a synchronous 400 otherwise); the
 * deletion is logged (durable before the 200) and carried out INLET_DELETE_BUFFER_SECONDS later.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Clock } from '../../../core/clock.js'
import type { Config } from '../../../core/config.js'
import { AppError } from '../../../core/errors.js'
import type { Governance } from '../../../governance/governance.js'
import type { Ingest } from '../../../ingest/accept.js'
import type { Store } from '../../../store/store.js'
import { parseDelete } from '../bodies/delete-bodies.js'
import { ACCEPTED_SCHEMA, acceptedBody, bodyOf, dataRoute, workspaceRowOf } from '../../../http/route.js'

export type DeleteRouteDeps = Readonly<{
  ingest: Ingest
  config: Config
  store: Store
  governance: Governance
  clock: Clock
}>

export function deleteRoutes(root: FastifyInstance, api: FastifyInstance, deps: DeleteRouteDeps) {
  const handler = async (request: FastifyRequest) => {
    const workspace = workspaceRowOf(request)
    deps.governance.observe(request, workspace, ['delete'])
    const identity = parseDelete(bodyOf(request))
    const [user] = await deps.store.profiles.findUsers(workspace.id, {
      customerIds: identity.type === 'customer_id' ? [identity.value] : [],
      ids: identity.type === 'id' ? [identity.value] : [],
    })
    if (user === undefined) {
      throw new AppError('user_not_found', {
        params: {
          identity: identity.type === 'customer_id' ? 'customer id' : 'id',
          value: identity.value,
        },
      })
    }
    await deps.governance.admit(request, workspace, [{ quota: 'delete', amount: 1 }])
    await deps.ingest.accept({ workspaceId: workspace.id, requestId: request.id, api: 'delete' }, [
      {
        kind: 'delete',
        customerId: user.customerId,
        payload: {
          user_id: user.id,
          identity_type: identity.given,
          identity_value: identity.value,
          due_at: deps.clock.now() + deps.config.deleteBufferSeconds * 1000,
        },
      },
    ])
    return acceptedBody(request.id)
  }
  for (const url of ['/v1/customer/delete', '/v1/customer/delete/bulk']) {
    dataRoute(root, api, {
      url,
      endpoint: 'delete',
      bodyLimitBytes: deps.config.bodyLimitBytes,
      responseSchema: ACCEPTED_SCHEMA,
      handler,
    })
  }
}
