/**
 * Push `POST /v2/transaction/sendpush` (the workspace id and signature in the body) and `POST
 * /v2.1/transaction/sendpush` (in `X-MOE-APPKEY` and `X-MOE-PushAPI-Signature`, with
 * `X-MOE-Query-Type` mirroring `targetAudience`): the quota taken before the body's fields are
 * checked, the campaign started (send.ts: a `soon` campaign's messages durable in the outbox
 * before the answer), `{"status":"Success","requestId","responseId","cid"}`. Any other method on
 * the paths is a 405 in Push's envelope.
 */
import type { FastifyInstance } from 'fastify'
import type { QuotaScope } from '../../../governance/governance.js'
import { AppError } from '../../../core/errors.js'
import type { RouteConfig } from '../../../http/error-handler.js'
import { familyRoute, otherMethodsRoute } from '../../../http/family-route.js'
import { bodyOf } from '../../../http/route.js'
import { parsePushRequest } from '../bodies/push-body.js'
import { startSend, type PushDeps } from '../send.js'

export const V2_URL = '/v2/transaction/sendpush'
export const V2_1_URL = '/v2.1/transaction/sendpush'

export type SendPushDeps = PushDeps & Readonly<{ quotas: QuotaScope; bodyLimitBytes: number }>

export function sendPushRoute(
  root: FastifyInstance,
  api: FastifyInstance,
  deps: SendPushDeps,
  version: 'v2' | 'v2.1',
): void {
  const url = version === 'v2' ? V2_URL : V2_1_URL
  const endpoint = version === 'v2' ? 'push_v2' : 'push_v2_1'
  familyRoute(api, deps.quotas, {
    family: 'push',
    endpoint,
    method: 'POST',
    url,
    quota: 'push_send',
    bodyLimitBytes: deps.bodyLimitBytes,
    handler: async (request, workspace) => {
      const queryType = request.headers['x-moe-query-type']
      const send = parsePushRequest(
        bodyOf(request),
        Array.isArray(queryType) ? queryType[0] : queryType,
        version,
      )
      const answer = await startSend(
        deps,
        { workspaceId: workspace.id, requestId: request.id },
        send,
      )
      return {
        status: 'Success',
        requestId: request.id,
        responseId: request.id,
        cid: answer.campaignId,
      }
    },
  })
  otherMethodsRoute(root, { family: 'push', endpoint, url }, ['POST'])
  // The pages' 404, in Push's envelope, for another path of the version's folder.
  root.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: `${url.slice(0, url.lastIndexOf('/'))}/:other`,
    config: { family: 'push', endpoint, noBody: true } satisfies RouteConfig,
    handler: () => {
      throw new AppError('route_not_found')
    },
  })
}
