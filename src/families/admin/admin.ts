/**
 * The admin API under `/inlet/v1/admin/` (Inlet's own): create, list, read and update workspaces
 * (name, state, quota limits, settings), rotate and remove Data API keys, and create, rotate,
 * remove and list the feature-scoped keys (Push, Inform, Personalize, reports;
 * workspaces/feature-keys.ts), define subscription categories and issue the consent family's link
 * tokens (workspaces/subscription-categories.ts, link-tokens.ts), define Inform alerts
 * (workspaces/inform-alerts.ts) and set the outbox's delivery mode (workspaces/delivery.ts).
 * Registered only when INLET_ADMIN_TOKEN is set (otherwise every admin
 * path is a 404) and authenticated by `Authorization: Bearer <token>`, compared in constant time.
 * Keys are answered only by the calls that set one (create, rotate-key, a feature key's create and
 * rotate); every other answer is a view without keys (workspaces/changes.ts, feature-keys.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Clock } from '../../core/clock.js'
import { AppError } from '../../core/errors.js'
import { StoreConflictError, type Store } from '../../store/store.js'
import { liftInput, suppressionView } from '../../privacy/suppressions.js'
import {
  WorkspaceInputError,
  parseName,
  parseState,
  parseWorkspaceChanges,
  workspaceView,
} from '../../workspaces/changes.js'
import {
  WorkspaceNotFoundError,
  type CreatedWorkspace,
  type CreateWorkspaceInput,
  type RotateKeyInput,
  type Workspaces,
} from '../../workspaces/workspaces.js'
import {
  FEATURES,
  FeatureKeyExistsError,
  isFeature,
  type Feature,
  type FeatureKeys,
  type IssuedFeatureKey,
} from '../../workspaces/feature-keys.js'
import { ServerSecretMissingError } from '../../workspaces/secret-box.js'
import {
  MAX_LINK_TOKEN_TTL_DAYS,
  issueLinkIds,
  type LinkTokens,
} from '../../workspaces/link-tokens.js'
import { parseAlertInput, type InformAlerts } from '../../workspaces/inform-alerts.js'
import {
  parseCampaignInput,
  type LiveActivityCampaigns,
} from '../../workspaces/live-activity-campaigns.js'
import { parseCardCampaignInput, type CardCampaigns } from '../../workspaces/card-campaigns.js'
import type { CardSendResult } from '../../inbox/card-sends.js'
import { parseDeliveryInput, type DeliverySettings } from '../../workspaces/delivery.js'
import { parseFileImportInput, type FileImports } from '../../workspaces/file-imports.js'
import {
  parseCategoryInput,
  parseCategoryName,
  type SubscriptionCategories,
} from '../../workspaces/subscription-categories.js'
import type { AuthFailureLimiter } from '../../http/auth-failures.js'
import type { RouteConfig } from '../../http/error-handler.js'

export const ADMIN_PREFIX = '/inlet/v1/admin'

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** True when `header` is `Bearer <token>`; hashing first makes the comparison length-blind. */
export function adminTokenMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim())
  const given = match?.[1] ?? ''
  return timingSafeEqual(digest(given), digest(token)) && given !== ''
}

function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body: unknown = request.body
  if (body === undefined || body === null) return {}
  return body as Record<string, unknown> // json-body.ts yields only objects for a POST
}

/** Admin failures on the wire: input errors 400, unknown ids 404, taken ids 409. */
function toAdminError(err: unknown): unknown {
  if (err instanceof WorkspaceInputError) {
    return new AppError('admin_invalid_input', {
      params: { detail: err.message, attribute: err.attribute },
    })
  }
  if (err instanceof WorkspaceNotFoundError) {
    return new AppError('admin_workspace_not_found', { params: { workspace_id: err.workspaceId } })
  }
  if (err instanceof FeatureKeyExistsError) {
    return new AppError('admin_feature_key_exists', {
      params: { workspace_id: err.workspaceId, feature: err.feature },
    })
  }
  if (err instanceof ServerSecretMissingError) {
    return new AppError('admin_secret_key_missing', { cause: err })
  }
  return err
}

/** The `:feature` of a key route: one of FEATURES. */
function featureOf(request: FastifyRequest): Feature {
  const { feature } = request.params as { feature: string } // route param of every key route
  if (!isFeature(feature)) {
    throw new WorkspaceInputError(
      `${feature} is not a feature (features: ${FEATURES.join(', ')})`,
      'feature',
    )
  }
  return feature
}

/**
 * A key body: `keyField` (the key to set; generated when omitted) and, when `grace` (a rotation),
 * `grace_seconds`. The Data API key's rotation names it `data_api_key`, a feature key's `api_key`.
 */
function keyInput(
  body: Record<string, unknown>,
  keyField: 'api_key' | 'data_api_key',
  grace: boolean,
): RotateKeyInput {
  const { [keyField]: key, grace_seconds: seconds, ...rest } = body
  const known = grace ? [keyField, 'grace_seconds'] : [keyField]
  const unknown =
    Object.keys(rest)[0] ?? (!grace && seconds !== undefined ? 'grace_seconds' : undefined)
  if (unknown !== undefined) {
    throw new WorkspaceInputError(
      `${unknown} is not a known field (known: ${known.join(', ')})`,
      unknown,
    )
  }
  if (key !== undefined && typeof key !== 'string') {
    throw new WorkspaceInputError(`${keyField} should be a string`, keyField)
  }
  if (seconds !== undefined && typeof seconds !== 'number') {
    throw new WorkspaceInputError('grace_seconds should be a whole number', 'grace_seconds')
  }
  return {
    ...(key === undefined ? {} : { key }),
    ...(seconds === undefined ? {} : { graceSeconds: seconds }),
  }
}

function createInput(body: Record<string, unknown>): CreateWorkspaceInput {
  const { workspace_id: id, data_api_key: key, name, state, limits, settings, ...rest } = body
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) {
    throw new WorkspaceInputError(
      `${unknown} is not a known field (known: workspace_id, data_api_key, name, state, limits, settings)`,
      unknown,
    )
  }
  if (id !== undefined && typeof id !== 'string') {
    throw new WorkspaceInputError('workspace_id should be a string', 'workspace_id')
  }
  if (key !== undefined && typeof key !== 'string') {
    throw new WorkspaceInputError('data_api_key should be a string', 'data_api_key')
  }
  const changes = parseWorkspaceChanges({
    ...(limits === undefined ? {} : { limits }),
    ...(settings === undefined ? {} : { settings }),
  })
  return {
    ...(id === undefined ? {} : { id }),
    ...(key === undefined ? {} : { key }),
    ...(name === undefined ? {} : { name: parseName(name) }),
    ...(state === undefined ? {} : { state: parseState(state) }),
    changes,
  }
}

/** The one field of a remove request's body: `field`, a non-empty id. */
function removedId(request: FastifyRequest, field: string): string {
  const { [field]: value, ...rest } = bodyObject(request)
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) {
    throw new WorkspaceInputError(`${unknown} is not a known field (known: ${field})`, unknown)
  }
  if (typeof value !== 'string' || value === '') {
    throw new WorkspaceInputError(`${field} should be an id`, field)
  }
  return value
}

export function adminRoutes(
  api: FastifyInstance,
  deps: Readonly<{
    workspaces: Workspaces
    adminToken: string
    isClosing: () => boolean
    authFailures?: AuthFailureLimiter
    /** For the suppression list (spec §7.12, Inlet). */
    store: Store
    /** The feature-scoped keys (workspaces/feature-keys.ts). */
    featureKeys: FeatureKeys
    /** Subscription categories and the consent family's link tokens. */
    categories: SubscriptionCategories
    linkTokens: LinkTokens
    /** Days a link token lasts unless the request names `expires_in_days` (config). */
    linkTokenTtlDays: number
    clock: Clock
    /** Inform alert definitions (workspaces/inform-alerts.ts). */
    alerts: InformAlerts
    /** Live-activity campaigns (workspaces/live-activity-campaigns.ts). */
    liveActivities: LiveActivityCampaigns
    /** Card campaigns (workspaces/card-campaigns.ts) and their sends (inbox/card-sends.ts). */
    cardCampaigns: CardCampaigns
    sendCards: (
      workspaceId: string,
      requestId: string,
      campaignId: string,
    ) => Promise<CardSendResult | undefined>
    /** The outbox's delivery mode per workspace (workspaces/delivery.ts). */
    delivery: DeliverySettings
    /** File Imports' definitions (workspaces/file-imports.ts) and why a source is refused. */
    fileImports: FileImports
    fileImportSource: (source: string) => string | undefined
  }>,
): void {
  const { workspaces, featureKeys } = deps
  const config: RouteConfig = { family: 'admin' }
  api.addHook('onRequest', (request, _reply, done) => {
    if (deps.isClosing()) return done(new AppError('service_unavailable'))
    try {
      deps.authFailures?.check(request)
    } catch (err) {
      return done(err as AppError) // check() throws only AppError
    }
    if (!adminTokenMatches(request.headers.authorization, deps.adminToken)) {
      const err = new AppError('admin_unauthorized')
      deps.authFailures?.observe(request, err)
      return done(err)
    }
    done()
  })
  const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id // route param of every /workspaces/:id route
  /** A route of the admin API: its path under ADMIN_PREFIX, its failures answered as admin errors. */
  const route = <T>(
    method: 'GET' | 'POST',
    path: string,
    handler: (request: FastifyRequest) => Promise<T>,
  ): void => {
    api.route({
      method,
      url: `${ADMIN_PREFIX}${path}`,
      config,
      handler: async (request: FastifyRequest): Promise<T> => {
        try {
          return await handler(request)
        } catch (err) {
          throw toAdminError(err)
        }
      },
    })
  }

  route('GET', '/workspaces', async () => ({
    status: 'success',
    workspaces: (await workspaces.list()).map(workspaceView),
  }))

  route('POST', '/workspaces', async (request) => {
    const input = createInput(bodyObject(request))
    try {
      return createdView(await workspaces.create(input))
    } catch (err) {
      if (err instanceof StoreConflictError) {
        throw new AppError('admin_workspace_exists', {
          params: { workspace_id: input.id ?? '' },
        })
      }
      throw err
    }
  })

  route('GET', '/workspaces/:id', async (request) => ({
    status: 'success',
    workspace: workspaceView(await workspaces.get(idOf(request))),
  }))

  route('POST', '/workspaces/:id', async (request) => {
    const changes = parseWorkspaceChanges(bodyObject(request))
    return {
      status: 'success',
      workspace: workspaceView(await workspaces.update(idOf(request), changes)),
    }
  })

  route('POST', '/workspaces/:id/rotate-key', async (request) => {
    return createdView(
      await workspaces.rotateKey(
        idOf(request),
        keyInput(bodyObject(request), 'data_api_key', true),
      ),
    )
  })

  // spec §7.12 (Inlet): the suppression list of erased identities, and lifting from it.
  route('GET', '/workspaces/:id/suppressions', async (request) => {
    const workspace = await workspaces.get(idOf(request))
    return {
      status: 'success',
      suppressions: (await deps.store.profiles.suppressions(workspace.id)).map(suppressionView),
    }
  })

  route('POST', '/workspaces/:id/suppressions/lift', async (request) => {
    const workspace = await workspaces.get(idOf(request))
    const by = liftInput(workspace.id, bodyObject(request))
    return {
      status: 'success',
      lifted: await deps.store.profiles.liftSuppressions(workspace.id, by),
    }
  })

  route('POST', '/workspaces/:id/remove-key', async (request) => ({
    status: 'success',
    workspace: workspaceView(await workspaces.removeKey(idOf(request))),
  }))

  // Feature-scoped keys (docs/auth.md): which features have one, never the keys themselves.
  route('GET', '/workspaces/:id/keys', async (request) => ({
    status: 'success',
    workspace_id: idOf(request),
    keys: await featureKeys.list(idOf(request)),
  }))

  // A key is answered only when Inlet generated it: one the caller gave is never echoed.
  const issued = (result: IssuedFeatureKey) => ({
    status: 'success',
    key: result.view,
    ...(result.generated ? { api_key: result.apiKey } : {}),
  })

  route('POST', '/workspaces/:id/keys/:feature', async (request) => {
    const feature = featureOf(request)
    const input = keyInput(bodyObject(request), 'api_key', false)
    return issued(await featureKeys.create(idOf(request), feature, input))
  })

  route('POST', '/workspaces/:id/keys/:feature/rotate', async (request) => {
    const feature = featureOf(request)
    const input = keyInput(bodyObject(request), 'api_key', true)
    return issued(await featureKeys.rotate(idOf(request), feature, input))
  })

  route('POST', '/workspaces/:id/keys/:feature/remove', async (request) => {
    const feature = featureOf(request)
    return { status: 'success', key: await featureKeys.remove(idOf(request), feature) }
  })

  // Subscription categories (families/consent): defined here, chosen by users there.
  route('GET', '/workspaces/:id/subscription-categories', async (request) => ({
    status: 'success',
    categories: await deps.categories.list(idOf(request)),
  }))

  route('POST', '/workspaces/:id/subscription-categories', async (request) => ({
    status: 'success',
    category: await deps.categories.put(idOf(request), parseCategoryInput(bodyObject(request))),
  }))

  route('POST', '/workspaces/:id/subscription-categories/remove', async (request) => {
    const { name, ...rest } = bodyObject(request)
    const unknown = Object.keys(rest)[0]
    if (unknown !== undefined) {
      throw new WorkspaceInputError(`${unknown} is not a known field (known: name)`, unknown)
    }
    return {
      status: 'success',
      removed: await deps.categories.remove(idOf(request), parseCategoryName(name)),
    }
  })

  // Inform alerts (families/inform): defined here, sent there.
  route('GET', '/workspaces/:id/inform-alerts', async (request) => ({
    status: 'success',
    alerts: await deps.alerts.list(idOf(request)),
  }))

  route('POST', '/workspaces/:id/inform-alerts', async (request) => ({
    status: 'success',
    alert: await deps.alerts.put(idOf(request), parseAlertInput(bodyObject(request))),
  }))

  route('GET', '/workspaces/:id/inform-alerts/:alert_id', async (request) => {
    const { alert_id: alertId } = request.params as { alert_id: string } // route param
    const alert = await deps.alerts.get(idOf(request), alertId)
    if (alert === undefined) {
      throw new AppError('admin_alert_not_found', {
        params: { alert_id: alertId, workspace_id: idOf(request) },
      })
    }
    return { status: 'success', alert }
  })

  route('POST', '/workspaces/:id/inform-alerts/remove', async (request) => ({
    status: 'success',
    removed: await deps.alerts.remove(idOf(request), removedId(request, 'alert_id')),
  }))

  // Live-activity campaigns (families/live-activities): defined here, broadcast there.
  route('GET', '/workspaces/:id/live-activities', async (request) => ({
    status: 'success',
    campaigns: await deps.liveActivities.list(idOf(request)),
  }))

  route('POST', '/workspaces/:id/live-activities', async (request) => ({
    status: 'success',
    campaign: await deps.liveActivities.put(idOf(request), parseCampaignInput(bodyObject(request))),
  }))

  route('GET', '/workspaces/:id/live-activities/:campaign_id', async (request) => {
    const { campaign_id: campaignId } = request.params as { campaign_id: string } // route param
    const campaign = await deps.liveActivities.get(idOf(request), campaignId)
    if (campaign === undefined) {
      throw new AppError('admin_live_activity_not_found', {
        params: { campaign_id: campaignId, workspace_id: idOf(request) },
      })
    }
    return { status: 'success', campaign }
  })

  route('POST', '/workspaces/:id/live-activities/remove', async (request) => ({
    status: 'success',
    removed: await deps.liveActivities.remove(idOf(request), removedId(request, 'campaign_id')),
  }))

  // File Imports (families/file-imports): defined here, run and reported there.
  const importIdOf = (request: FastifyRequest): string =>
    (request.params as { import_id: string }).import_id // route param
  const fileImportOf = async (request: FastifyRequest) => {
    const found = await deps.fileImports.get(idOf(request), importIdOf(request))
    if (found === undefined) {
      throw new AppError('admin_file_import_not_found', {
        params: { import_id: importIdOf(request), workspace_id: idOf(request) },
      })
    }
    return found
  }
  route('GET', '/workspaces/:id/file-imports', async (request) => ({
    status: 'success',
    imports: await deps.fileImports.list(idOf(request)),
  }))

  route('POST', '/workspaces/:id/file-imports', async (request) => ({
    status: 'success',
    import: await deps.fileImports.put(
      idOf(request),
      parseFileImportInput(bodyObject(request), deps.fileImportSource),
    ),
  }))

  route('GET', '/workspaces/:id/file-imports/:import_id', async (request) => ({
    status: 'success',
    import: await fileImportOf(request),
  }))

  route('POST', '/workspaces/:id/file-imports/:import_id', async (request) => {
    await fileImportOf(request)
    const body = { ...bodyObject(request), import_id: importIdOf(request) }
    return {
      status: 'success',
      import: await deps.fileImports.put(
        idOf(request),
        parseFileImportInput(body, deps.fileImportSource),
      ),
    }
  })

  route('POST', '/workspaces/:id/file-imports/remove', async (request) => ({
    status: 'success',
    removed: await deps.fileImports.remove(idOf(request), removedId(request, 'import_id')),
  }))

  // Card campaigns (families/cards fetches what their sends put in inboxes).
  const cardCampaignId = (request: FastifyRequest): string =>
    (request.params as { campaign_id: string }).campaign_id // route param
  const cardNotFound = (request: FastifyRequest): AppError =>
    new AppError('admin_card_campaign_not_found', {
      params: { campaign_id: cardCampaignId(request), workspace_id: idOf(request) },
    })
  route('GET', '/workspaces/:id/card-campaigns', async (request) => ({
    status: 'success',
    campaigns: await deps.cardCampaigns.list(idOf(request)),
  }))

  route('POST', '/workspaces/:id/card-campaigns', async (request) => ({
    status: 'success',
    campaign: await deps.cardCampaigns.put(
      idOf(request),
      parseCardCampaignInput(bodyObject(request)),
    ),
  }))

  route('GET', '/workspaces/:id/card-campaigns/:campaign_id', async (request) => {
    const campaign = await deps.cardCampaigns.get(idOf(request), cardCampaignId(request))
    if (campaign === undefined) throw cardNotFound(request)
    return { status: 'success', campaign }
  })

  route('POST', '/workspaces/:id/card-campaigns/remove', async (request) => ({
    status: 'success',
    removed: await deps.cardCampaigns.remove(idOf(request), removedId(request, 'campaign_id')),
  }))

  route('POST', '/workspaces/:id/card-campaigns/:campaign_id/send', async (request) => {
    await deps.cardCampaigns.list(idOf(request)) // the workspace exists
    const sent = await deps.sendCards(idOf(request), request.id, cardCampaignId(request))
    if (sent === undefined) throw cardNotFound(request)
    return { status: 'success', sent }
  })

  // The outbox's delivery mode (docs/outbox.md "Delivery"): secrets never answered, but one
  // Inlet generated, once.
  route('GET', '/workspaces/:id/delivery', async (request) => ({
    status: 'success',
    workspace_id: idOf(request),
    delivery: await deps.delivery.get(idOf(request)),
  }))

  route('POST', '/workspaces/:id/delivery', async (request) => {
    const input = parseDeliveryInput(bodyObject(request))
    const result = await deps.delivery.set(idOf(request), input)
    return {
      status: 'success',
      workspace_id: idOf(request),
      delivery: result.delivery,
      ...(result.generatedSecret === undefined ? {} : { webhook_secret: result.generatedSecret }),
    }
  })

  // The link ids of a preference page: Inlet's signed tokens for a user and a campaign.
  route('POST', '/workspaces/:id/subscription-links', async (request) => {
    const workspace = await workspaces.get(idOf(request))
    const input = linkInput(bodyObject(request))
    const [user] = await deps.store.profiles.findUsers(workspace.id, {
      customerIds: input.customerId === undefined ? [] : [input.customerId],
      ids: input.userId === undefined ? [] : [input.userId],
    })
    if (user === undefined) {
      throw new WorkspaceInputError(
        'no such user in this workspace',
        input.customerId === undefined ? 'user_id' : 'customer_id',
      )
    }
    const link = issueLinkIds(deps.linkTokens, {
      workspaceId: workspace.id,
      userId: user.id,
      campaignId: input.cid,
      now: deps.clock.now(),
      ttlDays: input.expiresInDays ?? deps.linkTokenTtlDays,
    })
    return {
      status: 'success',
      user: { id: user.id, customer_id: user.customerId },
      user_id: link.userId,
      cid: link.cid,
      expires_at: new Date(link.expiresAt).toISOString(),
    }
  })
}

/**
 * `{customer_id | user_id, cid, expires_in_days?}`: the user (by customer_id or internal id), a
 * campaign id and how many days the tokens last.
 */
function linkInput(body: Record<string, unknown>): {
  customerId?: string
  userId?: string
  cid: string
  expiresInDays?: number
} {
  const { customer_id: customerId, user_id: userId, cid, expires_in_days: days, ...rest } = body
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) {
    throw new WorkspaceInputError(
      `${unknown} is not a known field (known: customer_id, user_id, cid, expires_in_days)`,
      unknown,
    )
  }
  if (
    days !== undefined &&
    !(
      Number.isInteger(days) &&
      (days as number) >= 1 &&
      (days as number) <= MAX_LINK_TOKEN_TTL_DAYS
    )
  ) {
    throw new WorkspaceInputError(
      `expires_in_days should be a whole number of days from 1 to ${MAX_LINK_TOKEN_TTL_DAYS}`,
      'expires_in_days',
    )
  }
  const text = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= 1024
  if (text(customerId) === text(userId)) {
    throw new WorkspaceInputError(
      'give one of customer_id and user_id (a non-empty string)',
      'customer_id',
    )
  }
  if (!text(cid))
    throw new WorkspaceInputError('cid should be a non-empty string (a campaign id)', 'cid')
  return {
    ...(text(customerId) ? { customerId } : {}),
    ...(text(userId) ? { userId } : {}),
    cid,
    ...(typeof days === 'number' ? { expiresInDays: days } : {}),
  }
}

/** A created workspace or a rotated key: the key only when Inlet generated it, never one given. */
function createdView(created: CreatedWorkspace) {
  return {
    status: 'success',
    workspace: workspaceView(created.workspace),
    ...(created.generated ? { data_api_key: created.dataApiKey } : {}),
  }
}
