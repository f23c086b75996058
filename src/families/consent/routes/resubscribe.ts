/**
 * Bulk resubscribe `POST /emails/v1.0/bulk-resubscribe` (moengage-other-apis.md §2.10;
 * moengage-email-subscription-openapi.yml): clears the unsubscribe-all flag of every user whose
 * email is one of `recipients` (only the user with `customer_id`, when one is sent) and answers
 * 202 `{"message":"The request is submitted successfully.","response_id"}` once written (MoEngage
 * processes it later; Inlet has already). Inlet has no connection to an email service provider:
 * `update_esp: true` is refused with `InvalidSettings` ("Valid email settings not present") rather
 * than accepted and not done. Addresses that match no user are not an error.
 */
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../../core/clock.js'
import { AppError } from '../../../core/errors.js'
import type { QuotaScope } from '../../../governance/governance.js'
import { bodyOf } from '../../../http/route.js'
import type { Store } from '../../../store/store.js'
import { parseResubscribe } from '../bodies/resubscribe-bodies.js'
import { consentRoute, otherMethods } from '../route.js'

export const RESUBSCRIBE_URL = '/emails/v1.0/bulk-resubscribe'

export function resubscribeRoutes(
  root: FastifyInstance,
  api: FastifyInstance,
  deps: Readonly<{ store: Store; clock: Clock; quotas: QuotaScope; bodyLimitBytes: number }>,
): void {
  const { store, clock } = deps
  otherMethods(root, RESUBSCRIBE_URL, 'resubscribe', ['POST'])
  consentRoute(api, deps.quotas, {
    method: 'POST',
    url: RESUBSCRIBE_URL,
    endpoint: 'resubscribe',
    quota: 'email_resubscribe',
    bodyLimitBytes: deps.bodyLimitBytes,
    handler: async (request, workspace, reply) => {
      const input = parseResubscribe(bodyOf(request))
      if (input.updateEsp) throw new AppError('consent_esp_settings')
      let users = await store.consent.usersWithEmail(workspace.id, input.recipients)
      if (input.customerId !== undefined) {
        const [only] = await store.profiles.findUsers(workspace.id, {
          customerIds: [input.customerId],
          ids: [],
        })
        users = users.filter((u) => u.userId === only?.id)
      }
      const at = clock.now()
      await store.consent.update(
        users.map((u) => ({
          workspaceId: workspace.id,
          userId: u.userId,
          channel: 'email',
          at,
          unsubscribedAll: false,
          categories: {},
        })),
      )
      void reply.code(202)
      return { message: 'The request is submitted successfully.', response_id: request.id }
    },
  })
}
