/**
 * How a consent route is declared (http/family-route.ts): its endpoint group (the catalogue's
 * strings and the envelope: categories, optin, resubscribe), its quota taken once per request
 * before the body's fields are checked, and a JSON 405 in the group's envelope for every other
 * method on the path.
 */
import type { FastifyInstance } from 'fastify'
import type { ConsentEndpoint } from '../../core/catalogue/types.js'
import type { QuotaScope } from '../../governance/governance.js'
import {
  familyRoute,
  otherMethodsRoute,
  type FamilyMethod,
  type FamilyRoute,
} from '../../http/family-route.js'
import type { ConsentQuota } from './quotas.js'

export type ConsentRoute = Omit<FamilyRoute, 'family' | 'endpoint' | 'quota'> &
  Readonly<{ endpoint: ConsentEndpoint; quota: ConsentQuota }>

/** Registers `route` on `api` (an authenticated scope), its quota counted in `quotas`. */
export function consentRoute(api: FastifyInstance, quotas: QuotaScope, route: ConsentRoute): void {
  familyRoute(api, quotas, { ...route, family: 'consent' })
}

/** A JSON 405 in `endpoint`'s envelope for the methods of `url` other than `allowed`. */
export function otherMethods(
  root: FastifyInstance,
  url: string,
  endpoint: ConsentEndpoint,
  allowed: readonly FamilyMethod[],
): void {
  otherMethodsRoute(root, { family: 'consent', endpoint, url }, allowed)
}
