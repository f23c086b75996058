/**
 * Email opt-in management `PUT /v1.0/opt-in-management/user-preferences` (moengage-other-apis.md
 * §2.10; moengage-email-subscription-openapi.yml): sets the email opt-in status and, when sent,
 * category choices of the user with the `customer_id` — or, when an `email_id` is sent (it wins),
 * of every user with that email. Every category sent must be active, or nothing is written; when
 * categories are sent and all are false, the status is OPTED_OUT whatever was sent. Answers
 * `{"message":"Your request has been processed successfully"}`.
 */
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../../core/clock.js'
import { AppError } from '../../../core/errors.js'
import type { QuotaScope } from '../../../governance/governance.js'
import { bodyOf } from '../../../http/route.js'
import type { Store } from '../../../store/store.js'
import { parseOptInUpdate } from '../bodies/opt-in-bodies.js'
import { checkCategories } from '../bodies/values.js'
import { consentRoute, otherMethods } from '../route.js'

export const OPT_IN_URL = '/v1.0/opt-in-management/user-preferences'

export function optInRoutes(
  root: FastifyInstance,
  api: FastifyInstance,
  deps: Readonly<{ store: Store; clock: Clock; quotas: QuotaScope; bodyLimitBytes: number }>,
): void {
  const { store, clock } = deps
  otherMethods(root, OPT_IN_URL, 'optin', ['PUT'])
  consentRoute(api, deps.quotas, {
    method: 'PUT',
    url: OPT_IN_URL,
    endpoint: 'optin',
    quota: 'email_opt_in',
    bodyLimitBytes: deps.bodyLimitBytes,
    handler: async (request, workspace) => {
      const update = parseOptInUpdate(bodyOf(request))
      const choices = update.categories ?? {}
      const names = Object.keys(choices)
      checkCategories(names, await store.consent.categories(workspace.id), { allInvalid: true })
      const userIds =
        update.emailId !== undefined
          ? (await store.consent.usersWithEmail(workspace.id, [update.emailId])).map(
              (u) => u.userId,
            )
          : (
              await store.profiles.findUsers(workspace.id, {
                customerIds: [update.customerId ?? ''],
                ids: [],
              })
            ).map((u) => u.id)
      if (userIds.length === 0) throw new AppError('consent_user_not_found')
      // "if all category values are false … the opt-in status is updated as OPTED_OUT"
      const allFalse = names.length > 0 && names.every((n) => choices[n] === false)
      const at = clock.now()
      const applied = await store.consent.update(
        userIds.map((userId) => ({
          workspaceId: workspace.id,
          userId,
          channel: 'email',
          at,
          optInStatus: allFalse ? 'OPTED_OUT' : update.optInStatus,
          categories: choices,
        })),
      )
      if (applied === 0) throw new AppError('consent_user_not_found')
      return { message: 'Your request has been processed successfully' }
    },
  })
}
