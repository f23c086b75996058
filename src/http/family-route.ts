/**
 * How a route of a family beyond Data is declared (consent, segments): its method and path in the
 * family's authenticated scope, its family and endpoint group (the catalogue's strings and the
 * envelope), its quota taken once per request before anything of the request is read, and a JSON
 * 405 in the family's envelope for every other method on the path. A PUT, PATCH or DELETE route has
 * its JSON body parsed (RouteConfig `putBody`; Cards' delete is a DELETE with a JSON body). `guardedScope` is the scope such routes sit in: load
 * shedding, the family's auth variant, its rate-limit header convention.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { ApiFamilyName } from '../core/catalogue/types.js'
import { AppError } from '../core/errors.js'
import type { QuotaScope } from '../governance/governance.js'
import type { AuthVariant } from './auth.js'
import { installAuth, type AuthDeps } from './auth-hooks.js'
import { authDepsOf, type Platform } from './family.js'
import type { RouteConfig } from './error-handler.js'
import { installRateLimitHeaders, type RateLimitHeaderConvention } from './rate-limit-headers.js'
import { workspaceRowOf } from './route.js'
import type { Workspace } from '../store/store.js'

export const FAMILY_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'] as const
export type FamilyMethod = (typeof FAMILY_METHODS)[number]

export type FamilyRoute = Readonly<{
  family: ApiFamilyName
  endpoint: string
  method: FamilyMethod
  url: string
  /** The quota (of the family's plan) one request takes a unit of. */
  quota: string
  bodyLimitBytes: number
  /** A route whose body is never read (a POST without one). */
  noBody?: boolean
  /** Answers the request of `workspace`, its quota already taken. */
  handler: (request: FastifyRequest, workspace: Workspace, reply: FastifyReply) => Promise<unknown>
}>

/** Registers `route` on `api` (an authenticated scope), its quota counted in `quotas`. */
export function familyRoute(api: FastifyInstance, quotas: QuotaScope, route: FamilyRoute): void {
  const config: RouteConfig = {
    family: route.family,
    endpoint: route.endpoint,
    bodyLimitBytes: route.bodyLimitBytes,
    ...(['PUT', 'PATCH', 'DELETE'].includes(route.method) ? { putBody: true } : {}),
    ...(route.noBody === true ? { noBody: true } : {}),
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

/** A JSON 405 in `family`'s envelope (at `endpoint`) for the methods of `url` but `allowed`. */
export function otherMethodsRoute(
  root: FastifyInstance,
  place: Readonly<{ family: ApiFamilyName; endpoint: string; url: string }>,
  allowed: readonly FamilyMethod[],
): void {
  const config: RouteConfig = { family: place.family, endpoint: place.endpoint, noBody: true }
  root.route({
    method: FAMILY_METHODS.filter((m) => !allowed.includes(m)),
    url: place.url,
    config,
    handler: (_request, reply) => {
      void reply.header('allow', allowed.join(', '))
      throw new AppError('method_not_allowed')
    },
  })
}

/** What guards a family's scope: load shedding, the auth variant, the rate-limit headers. */
export type ScopeGuard = Readonly<{
  shed: onRequestHookHandler
  auth: AuthDeps
  variant: AuthVariant
  rateLimitHeaders: RateLimitHeaderConvention
}>

/** The guard of a family's scope on `platform`: its shedding and gateway, `variant`, `headers`. */
export function platformGuard(
  platform: Platform,
  variant: AuthVariant,
  rateLimitHeaders: RateLimitHeaderConvention,
): ScopeGuard {
  return { shed: platform.shed, auth: authDepsOf(platform), variant, rateLimitHeaders }
}

/** Registers a scope of `app` guarded by `guard`, with the routes `routes` declares in it. */
export async function guardedScope(
  app: FastifyInstance,
  guard: ScopeGuard,
  routes: (api: FastifyInstance) => void,
): Promise<void> {
  await app.register((api, _opts, done) => {
    api.addHook('onRequest', guard.shed)
    installAuth(api, guard.auth, guard.variant)
    installRateLimitHeaders(api, guard.rateLimitHeaders)
    routes(api)
    done()
  })
}
