/**
 * Get User `POST /v1/customers/export?app_id=` (spec §7.6): up to 20 identifiers by `customer_id`
 * or Inlet's internal id (`id`, or `moengage_id` as the current schema spells it), answered with
 * friendly attribute keys, `customer_id` and `id`, and the identifiers that matched nobody. Like
 * every answer of Inlet it carries the request's `request_id` (a key the spec's example lacks), and
 * a user with subscription preferences (families/consent) has them under
 * `subscription_preferences`, beside `user_attributes`.
 */
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../../core/config.js'
import { AppError } from '../../../core/errors.js'
import type { Governance } from '../../../governance/governance.js'
import { defineOwn, toWireValue } from '../../../profile/attribute-values.js'
import { friendlyKey, internalKey } from '../../../profile/standard-attributes.js'
import {
  attributesWithPreferences,
  isLinkedAttribute,
  subscriptionViews,
  type SubscriptionPreferencesView,
} from '../../../profile/subscriptions.js'
import type { Store, UserRow } from '../../../store/store.js'
import { isObject } from '../bodies/ingest-bodies.js'
import { bodyOf, dataRoute, workspaceRowOf } from '../../../http/route.js'
import { MAX_ID_LENGTH, checkLength } from '../bodies/limits.js'

export const MAX_EXPORT_IDENTIFIERS = 20

/** The key of a user's subscription preferences in Get User's answer (Inlet's; docs/compatibility.md). */
export const PREFERENCES_FIELD = 'subscription_preferences'

type Identifier = { identifier_type: 'customer_id' | 'id' | 'moengage_id'; identifier: string }

export type ExportRequest = { identifiers: Identifier[]; fields: string[] | undefined }

export function parseExportRequest(body: Record<string, unknown>): ExportRequest {
  const data = body['data']
  if (!isObject(data)) throw new AppError('export_data_missing')
  const identifiers = data['identifiers']
  if (!Array.isArray(identifiers) || identifiers.length === 0) {
    throw new AppError('export_identifiers_missing')
  }
  if (identifiers.length > MAX_EXPORT_IDENTIFIERS) throw new AppError('export_identifiers_limit')
  const parsed = identifiers.map((entry): Identifier => {
    const type = isObject(entry) ? entry['identifier_type'] : undefined
    const value = isObject(entry) ? entry['identifier'] : undefined
    if (
      (type !== 'customer_id' && type !== 'id' && type !== 'moengage_id') ||
      typeof value !== 'string'
    ) {
      throw new AppError('export_identifier_invalid')
    }
    checkLength('identifier', value, MAX_ID_LENGTH)
    return { identifier_type: type, identifier: value }
  })
  const fieldsRaw = data['user_fields_to_export']
  const fields = Array.isArray(fieldsRaw)
    ? fieldsRaw.filter((f): f is string => typeof f === 'string')
    : undefined
  return {
    identifiers: parsed,
    fields: fields !== undefined && fields.length > 0 ? fields : undefined,
  }
}

/** A profile as Get User shows it: friendly keys, `customer_id`, `id`; only `fields` if given. */
export function exportedAttributes(
  user: UserRow,
  fields: string[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const keys =
    fields === undefined
      ? Object.keys(user.attributes)
      : fields.map(internalKey).filter((k) => Object.hasOwn(user.attributes, k))
  for (const key of keys) defineOwn(out, friendlyKey(key), toWireValue(user.attributes[key]))
  out['customer_id'] = user.customerId
  out['id'] = user.id
  return out
}

export function exportRoutes(
  root: FastifyInstance,
  api: FastifyInstance,
  deps: Readonly<{ store: Store; config: Config; governance: Governance }>,
): void {
  dataRoute(root, api, {
    url: '/v1/customers/export',
    endpoint: 'export',
    bodyLimitBytes: deps.config.bodyLimitBytes,
    handler: async (request) => {
      const workspace = workspaceRowOf(request)
      const workspaceId = workspace.id
      deps.governance.observe(request, workspace, ['get_user'])
      const { identifiers, fields } = parseExportRequest(bodyOf(request))
      // spec §5.1: 1,000 users a minute, counted by the identifiers asked for.
      await deps.governance.admit(request, workspace, [
        { quota: 'get_user', amount: identifiers.length },
      ])
      const byCustomer = identifiers.filter((i) => i.identifier_type === 'customer_id')
      const byId = identifiers.filter((i) => i.identifier_type !== 'customer_id')
      const found = await deps.store.profiles.findUsers(workspaceId, {
        customerIds: byCustomer.map((i) => i.identifier),
        ids: byId.map((i) => i.identifier),
      })
      const users = new Map<string, UserRow>()
      for (const u of found) users.set(u.id, u)
      const notFound = identifiers.filter((i) =>
        i.identifier_type === 'customer_id'
          ? !found.some((u) => u.customerId === i.identifier)
          : !users.has(i.identifier),
      )
      // Inlet: each user's subscription preferences (families/consent), beside its attributes,
      // for a user that has any — unless user_fields_to_export leaves them out; and the
      // attributes linked to them (moe_unsubscribe, …) as the preferences say.
      const withPreferences = fields === undefined || fields.includes(PREFERENCES_FIELD)
      const withLinked =
        fields === undefined || fields.some((f) => isLinkedAttribute(internalKey(f)))
      const preferences =
        withPreferences || withLinked
          ? subscriptionViews(
              await deps.store.consent.subscriptionsOf(workspaceId, [...users.keys()]),
            )
          : new Map<string, SubscriptionPreferencesView>()
      return {
        status: 'success',
        type: 'export_users',
        data: {
          users_not_found: notFound,
          users: [...users.values()].map((u) => {
            const own = preferences.get(u.id)
            const attributes = exportedAttributes(
              { ...u, attributes: attributesWithPreferences(u.attributes, own) },
              fields,
            )
            return own === undefined || !withPreferences
              ? { user_attributes: attributes }
              : { user_attributes: attributes, [PREFERENCES_FIELD]: own }
          }),
        },
        // spec §4.1: the documented body plus request_id, like every other answer
        request_id: request.id,
      }
    },
  })
}
