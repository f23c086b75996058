/**
 * Subscription categories (moengage-other-apis.md §2.10; moengage-subscription-categories-
 * openapi.yml), at `/v1/category-subscription/user-preferences`: GET a link's user's preferences
 * (`{"categories":{name: bool}}` for every active category of the workspace: false when the user
 * unsubscribed from all, else the user's choice, true when never set), PUT them from a preference
 * page (`{"message":"Success"}`), POST them for up to 50 users by customer_id (`{"message":"Your
 * request has been processed"}`). Every name must be an active category and every user must
 * exist, or nothing is written.
 */
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../core/errors.js'
import type { Clock } from '../../../core/clock.js'
import type { QuotaScope } from '../../../governance/governance.js'
import { bodyOf } from '../../../http/route.js'
import { subscribedTo } from '../../../profile/subscriptions.js'
import type { Store } from '../../../store/store.js'
import { parseBulkCategoryUpdate, parseCategoryUpdate } from '../bodies/category-bodies.js'
import { checkCategories } from '../bodies/values.js'
import type { linkIdReader } from '../link-ids.js'
import { consentRoute, otherMethods } from '../route.js'

export const CATEGORIES_URL = '/v1/category-subscription/user-preferences'
const CHANNEL = 'email'

type Deps = Readonly<{
  store: Store
  clock: Clock
  quotas: QuotaScope
  linkIds: ReturnType<typeof linkIdReader>
  bodyLimitBytes: number
}>

/** The GET, in its scope without a Content-Type check. */
export function categoryReadRoutes(api: FastifyInstance, deps: Deps): void {
  const { store } = deps
  consentRoute(api, deps.quotas, {
    method: 'GET',
    url: CATEGORIES_URL,
    endpoint: 'categories',
    quota: 'subscription_get',
    bodyLimitBytes: deps.bodyLimitBytes,
    handler: async (request, workspace) => {
      const { user } = await deps.linkIds(request, workspace)
      const [defined, rows] = await Promise.all([
        store.consent.categories(workspace.id),
        store.consent.subscriptionsOf(workspace.id, [user.id]),
      ])
      const status = rows.statuses.find((s) => s.channel === CHANNEL)
      const chosen = new Map(
        rows.preferences
          .filter((p) => p.channel === CHANNEL)
          .map((p) => [p.category, p.subscribed]),
      )
      const categories: Record<string, boolean> = {}
      for (const c of defined) {
        if (!c.active) continue
        Object.defineProperty(categories, c.name, {
          value: subscribedTo(status, chosen.get(c.name)),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return { categories }
    },
  })
}

/** The PUT and the bulk POST, in the scope that requires a JSON body; the 405s on `root`. */
export function categoryWriteRoutes(root: FastifyInstance, api: FastifyInstance, deps: Deps): void {
  const { store, clock } = deps
  otherMethods(root, CATEGORIES_URL, 'categories', ['GET', 'PUT', 'POST'])
  consentRoute(api, deps.quotas, {
    method: 'PUT',
    url: CATEGORIES_URL,
    endpoint: 'categories',
    quota: 'subscription_update',
    bodyLimitBytes: deps.bodyLimitBytes,
    handler: async (request, workspace) => {
      const { user } = await deps.linkIds(request, workspace)
      const update = parseCategoryUpdate(bodyOf(request))
      checkCategories(
        Object.keys(update.categories),
        await store.consent.categories(workspace.id),
        {
          allInvalid: false,
        },
      )
      const applied = await store.consent.update([
        {
          workspaceId: workspace.id,
          userId: user.id,
          channel: CHANNEL,
          at: clock.now(),
          unsubscribedAll: update.unsubscribeAll,
          categories: update.categories,
        },
      ])
      // Deleted between the lookup and the write: as if the link named nobody.
      if (applied === 0) throw new AppError('consent_params_invalid')
      return { message: 'Success' }
    },
  })
  consentRoute(api, deps.quotas, {
    method: 'POST',
    url: CATEGORIES_URL,
    endpoint: 'categories',
    quota: 'subscription_bulk',
    bodyLimitBytes: deps.bodyLimitBytes,
    handler: async (request, workspace) => {
      const entries = parseBulkCategoryUpdate(bodyOf(request))
      checkCategories(
        entries.flatMap((e) => Object.keys(e.categories)),
        await store.consent.categories(workspace.id),
        { allInvalid: false },
      )
      const users = await store.profiles.findUsers(workspace.id, {
        customerIds: entries.map((e) => e.customerId),
        ids: [],
      })
      const byCustomer = new Map(users.map((u) => [u.customerId, u]))
      const missing = entries.filter((e) => !byCustomer.has(e.customerId))
      if (missing.length > 0) {
        throw new AppError('consent_user_not_found', {
          params: { ids: missing.map((e) => e.customerId).join(', ') },
        })
      }
      const at = clock.now()
      await store.consent.update(
        entries.map((e) => ({
          workspaceId: workspace.id,
          userId: byCustomer.get(e.customerId)?.id ?? '',
          channel: CHANNEL,
          at,
          unsubscribedAll: e.unsubscribeAll,
          categories: e.categories,
        })),
      )
      return { message: 'Your request has been processed' }
    },
  })
}
