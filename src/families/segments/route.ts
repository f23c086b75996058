/**
 * How a segments route is declared (http/family-route.ts): the family's one endpoint group
 * (`custom_segments`: the catalogue's strings, the E2 envelope), its quota taken once per request
 * before anything else is read, and a JSON 405 in the family's envelope for every other method on
 * the path.
 */
import type { FastifyInstance } from 'fastify'
import type { QuotaScope } from '../../governance/governance.js'
import {
  familyRoute,
  otherMethodsRoute,
  type FamilyMethod,
  type FamilyRoute,
} from '../../http/family-route.js'
import type { SegmentQuota } from './quotas.js'

/** The catalogue's endpoint groups: Segments v3 (and Inlet's reads), Segments v2, Cohort Sync. */
export type SegmentEndpoint = 'custom_segments' | 'file_segments' | 'cohort_sync'

/** The endpoint group of the v3 routes. */
export const ENDPOINT: SegmentEndpoint = 'custom_segments'

export type SegmentRoute = Omit<FamilyRoute, 'family' | 'endpoint' | 'quota' | 'bodyLimitBytes'> &
  Readonly<{ quota: SegmentQuota; endpoint?: SegmentEndpoint }>

/** What every route of the family shares: its quotas and the body limit. */
export type RouteDeps = Readonly<{ quotas: QuotaScope; bodyLimitBytes: number }>

/** Registers `route` on `api` (an authenticated scope), its quota counted in `deps.quotas`. */
export function segmentRoute(api: FastifyInstance, deps: RouteDeps, route: SegmentRoute): void {
  familyRoute(api, deps.quotas, {
    ...route,
    family: 'segments',
    endpoint: route.endpoint ?? ENDPOINT,
    bodyLimitBytes: deps.bodyLimitBytes,
  })
}

/** A JSON 405 in the family's envelope for the methods of `url` other than `allowed`. */
export function otherMethods(
  root: FastifyInstance,
  url: string,
  allowed: readonly FamilyMethod[],
  endpoint: SegmentEndpoint = ENDPOINT,
): void {
  otherMethodsRoute(root, { family: 'segments', endpoint, url }, allowed)
}
