/**
 * How a consent route is declared: its method and path in the family's authenticated scope, its
 * endpoint group (the catalogue's strings and the envelope: categories, optin, resubscribe), its
 * quota taken once per request before the body's fields are checked, and a JSON 405 in the
 * group's envelope for every other method on the path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ConsentEndpoint } from '../../core/catalogue/types.js'
import { AppError } from '../../core/errors.js'
import type { QuotaScope } from '../../governance/governance.js'
import type { RouteConfig } from '../../http/error-handler.js'
import { workspaceRowOf } from '../../http/route.js'
import type { Workspace } from '../../store/store.js'
import type { ConsentQuota } from './quotas.js'

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'] as const
type Method = (typeof METHODS)[number]

export type ConsentRoute = Readonly<{
  method: Method
  url: string
  endpoint: ConsentEndpoint
  quota: ConsentQuota
  bodyLimitBytes: number
  /** Answers the request of `workspace`, its quota already taken. */
  handler: (request: FastifyRequest, workspace: Workspace, reply: FastifyReply) => Promise<unknown>
}>

/** Registers `route` on `api` (an authenticated scope), its quota counted in `quotas`. */
export function consentRoute(api: FastifyInstance, quotas: QuotaScope, route: ConsentRoute): void {
  const config: RouteConfig = {
    family: 'consent',
    endpoint: route.endpoint,
    bodyLimitBytes: route.bodyLimitBytes,
    ...(route.method === 'PUT' ? { putBody: true } : {}),
  }
  api.route({
    method: route.method,
    url: route.url,
    bodyLimit: route.bodyLimitBytes,
    config,
    handler: async (request, reply) => {
      const workspace = workspaceRowOf(request)
      quotas.observe(request, workspace, [route.quota])
      await quotas.admit(request, workspace, [{ quota: route.quota, amount: 1 }])
      return route.handler(request, workspace, reply)
    },
  })
}

/** A JSON 405 in `endpoint`'s envelope for the methods of `url` other than `allowed`. */
export function otherMethods(
  root: FastifyInstance,
  url: string,
  endpoint: ConsentEndpoint,
  allowed: readonly Method[],
): void {
  const config: RouteConfig = { family: 'consent', endpoint, noBody: true }
  root.route({
    method: METHODS.filter((m) => !allowed.includes(m)),
    url,
    config,
    handler: (_request, reply) => {
      void reply.header('allow', allowed.join(', '))
      throw new AppError('method_not_allowed')
    },
  })
}
