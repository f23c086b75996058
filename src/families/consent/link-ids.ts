/**
 * The `user_id` and `cid` of a preference page's link (Subscription categories' GET and PUT):
 * MoEngage's are DES-encrypted ids nobody else can read, so Inlet takes its own signed tokens
 * (workspaces/link-tokens.ts) and — where the workspace allows it (settings `plainLinkIds`) —
 * plain ids: a `user_id` is then a customer_id, else an internal id. Anything else — a token
 * that is forged, of another workspace or kind, expired, or of a user that is gone — is
 * `consent_params_invalid`. Verifying a token needs the server secret:
 * without one (PostgreSQL without INLET_SECRET_KEY) the answer is the 409 "API SECRET not
 * configured".
 */
import type { FastifyRequest } from 'fastify'
import type { Clock } from '../../core/clock.js'
import { AppError } from '../../core/errors.js'
import type { Store, UserRow, Workspace } from '../../store/store.js'
import { isLinkToken, type LinkTokenKind, type LinkTokens } from '../../workspaces/link-tokens.js'
import { ServerSecretMissingError } from '../../workspaces/secret-box.js'
import { readSettings } from '../../workspaces/settings.js'

/** Longest `user_id` or `cid` looked at. */
const MAX_PARAM_LENGTH = 2048

/** The link's user, and the campaign id its `cid` names. */
export type LinkIds = Readonly<{ user: UserRow; campaignId: string }>

function queryParam(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown>)[name] // Fastify's parsed query string
  const one = Array.isArray(value) ? (value as unknown[])[0] : value
  if (typeof one !== 'string' || one === '' || one.length > MAX_PARAM_LENGTH) {
    throw new AppError('consent_params_invalid')
  }
  return one
}

export function linkIdReader(deps: { store: Store; tokens: LinkTokens; clock: Clock }) {
  /** The value of `given`: a valid token's, or `given` itself when plain ids are allowed. */
  function valueOf(workspace: Workspace, kind: LinkTokenKind, given: string, plain: boolean) {
    if (plain && !isLinkToken(given)) return given
    try {
      const value = deps.tokens.read(workspace.id, kind, given, deps.clock.now())
      if (value === undefined) throw new AppError('consent_params_invalid')
      return value
    } catch (err) {
      if (err instanceof ServerSecretMissingError) {
        throw new AppError('consent_link_secret_missing', { cause: err })
      }
      throw err
    }
  }

  return async function linkIds(request: FastifyRequest, workspace: Workspace): Promise<LinkIds> {
    const userParam = queryParam(request, 'user_id')
    const cidParam = queryParam(request, 'cid')
    const plain = readSettings(workspace.settings).plainLinkIds
    const userValue = valueOf(workspace, 'user', userParam, plain)
    const campaignId = valueOf(workspace, 'campaign', cidParam, plain)
    // A token carries an internal id; a plain id is a customer_id first, then an internal id.
    const byToken = isLinkToken(userParam)
    const found = await deps.store.profiles.findUsers(workspace.id, {
      customerIds: byToken ? [] : [userValue],
      ids: [userValue],
    })
    const user = byToken
      ? found.find((u) => u.id === userValue)
      : (found.find((u) => u.customerId === userValue) ?? found.find((u) => u.id === userValue))
    if (user === undefined) throw new AppError('consent_params_invalid')
    return { user, campaignId }
  }
}
