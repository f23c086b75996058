/**
 * Inform's `POST /v1.0/alerts/send` (moengage-other-apis.md §2.8; moengage-inform-openapi.yml)
 * and its sandbox: `POST /sandbox/v1.0/alerts/send`, or the live path on a Host whose name begins
 * `sandbox-api` (MoEngage's sandbox host, `sandbox-api-{dc}.moengage.com`, pointed at Inlet). The
 * quota is taken before the body's fields are checked; the 200 is
 * `{"message":"Successfully Received","request_id", <channel>: {message, err_code, status_code}}`
 * with one entry per channel the alert has enabled, answered once the messages are durable
 * (send.ts). Any other method on the paths is a JSON 405 in Inform's envelope.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../../core/errors.js'
import type { QuotaScope } from '../../../governance/governance.js'
import type { RouteConfig } from '../../../http/error-handler.js'
import { bodyOf, workspaceRowOf } from '../../../http/route.js'
import { readDelivery } from '../../../workspaces/delivery.js'
import { parseSendRequest } from '../bodies/send-body.js'
import { sendAlert, type InformEndpoint, type SendDeps } from '../send.js'

export const SEND_URL = '/v1.0/alerts/send'
export const SANDBOX_SEND_URL = '/sandbox/v1.0/alerts/send'

/** The sandbox answers on its own path, or on the live path under MoEngage's sandbox host name. */
export function endpointOf(request: FastifyRequest, url: string): InformEndpoint {
  if (url === SANDBOX_SEND_URL) return 'sandbox'
  const host = (request.headers.host ?? '').toLowerCase()
  return host.startsWith('sandbox-api') ? 'sandbox' : 'live'
}

const OTHER_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const

export function sendRoutes(
  root: FastifyInstance,
  api: FastifyInstance,
  deps: SendDeps & Readonly<{ quotas: QuotaScope; bodyLimitBytes: number }>,
): void {
  const config: RouteConfig = {
    family: 'inform',
    endpoint: 'inform',
    bodyLimitBytes: deps.bodyLimitBytes,
  }
  for (const url of [SEND_URL, SANDBOX_SEND_URL]) {
    api.route({
      method: 'POST',
      url,
      bodyLimit: deps.bodyLimitBytes,
      config,
      handler: async (request) => {
        const workspace = workspaceRowOf(request)
        deps.quotas.observe(request, workspace, ['inform_send'])
        await deps.quotas.admit(request, workspace, [{ quota: 'inform_send', amount: 1 }])
        const answer = await sendAlert(
          deps,
          {
            workspaceId: workspace.id,
            requestId: request.id,
            endpoint: endpointOf(request, url),
            delivery: readDelivery(workspace.settings),
          },
          parseSendRequest(bodyOf(request)),
        )
        return { message: 'Successfully Received', request_id: request.id, ...answer.channels }
      },
    })
    root.route({
      method: [...OTHER_METHODS],
      url,
      config: { ...config, noBody: true },
      handler: (_request, reply) => {
        void reply.header('allow', 'POST')
        throw new AppError('method_not_allowed')
      },
    })
  }
}
