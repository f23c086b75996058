/**
 * A family's declared auth variant (http/auth.ts) as hooks of its Fastify scope: `installAuth`.
 * The Basic variants are the gateway's (gateway.ts, one onRequest hook). Push's signature
 * (`push-signature`) is owned here: it is in the body, so it is checked once the body is parsed —
 * an onRequest hook does what comes before the body (shutdown, the failed-auth block, the JSON
 * Content-Type) and a preValidation hook, after the JSON parser and before any validation or
 * handler, checks the workspace id, the signature and the workspace's state.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { systemClock } from '../core/clock.js'
import { AppError } from '../core/errors.js'
import { silentLogger, type Logger } from '../core/log.js'
import type { FeatureKeyRow } from '../store/store.js'
import { FEATURE_LABELS, openFeatureKeys } from '../workspaces/feature-keys.js'
import { SealedValueError, type SecretBox } from '../workspaces/secret-box.js'
import { noAuthFailureLimit } from './auth-failures.js'
import { signatureAccepted, type AuthVariant, type PushSignatureAuth } from './auth.js'
import {
  assertJsonContentType,
  assertServing,
  createGateway,
  createWorkspaceCache,
  type GatewayDeps,
} from './gateway.js'

/**
 * What every variant needs, the server secret for the signature (Platform `secrets`), and where
 * the signature check warns of a Push key this server cannot open (Platform `log`).
 */
export type AuthDeps = GatewayDeps & { secrets?: SecretBox; log?: Logger }

/** How often a Push key that does not open is warned about, per workspace. */
const UNOPENED_KEY_WARNING_MS = 60_000

/**
 * When each workspace's unopened Push key was last warned about, per server secret box: shared by
 * the gateways of one server (v2's and v2.1's), so that one misconfiguration is one warning.
 */
const lastWarnings = new WeakMap<SecretBox, Map<string, number>>()

/** Puts `variant` in front of every route of `scope` (a family's own Fastify scope). */
export function installAuth(scope: FastifyInstance, deps: AuthDeps, variant: AuthVariant): void {
  if (variant.scheme === 'basic') {
    scope.addHook('onRequest', createGateway(deps, variant))
    return
  }
  const push = createPushSignatureGateway(deps, variant)
  scope.addHook('onRequest', push.onRequest)
  scope.addHook('preValidation', push.preValidation)
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The Push API's signature check (moengage-other-apis.md §2.8). In order: shutdown (503), the
 * failed-auth block (429), the Content-Type (400/415); then the JSON body's own checks
 * (json-body.ts); then the workspace id (`params_required`), the signature (`signature_missing`),
 * the campaign name (`field_missing`, `attribute_type`), the workspace (`invalid_app_id`), its
 * Push key (`feature_key_not_set`; also when its sealed copy does not open under this server's
 * secret, which is logged as a warning), the signature against the key (`signature_mismatch`; the
 * previous key too during a rotation's grace period) and the account state.
 */
export function createPushSignatureGateway(deps: AuthDeps, variant: PushSignatureAuth) {
  const secrets: SecretBox | undefined = deps.secrets
  if (secrets === undefined) {
    throw new Error('the push-signature auth variant needs the server secret (deps.secrets)')
  }
  const box: SecretBox = secrets
  const clock = deps.clock ?? systemClock
  const cache = deps.cache ?? createWorkspaceCache({ store: deps.store, clock })
  const limiter = deps.authFailures ?? noAuthFailureLimit
  const log = deps.log ?? silentLogger
  const fromHeaders = variant.source === 'headers'
  const warnedAt = lastWarnings.get(box) ?? new Map<string, number>()
  lastWarnings.set(box, warnedAt)

  /**
   * The Push keys of `appId`'s row, opened; none when the sealed key does not open here (another
   * INLET_SECRET_KEY, or an altered row). That is the server's misconfiguration, not the
   * client's: the client gets Push's documented failure for a key that cannot verify its
   * signature (`feature_key_not_set`, not counted as a failed authentication) and the operator a
   * warning, at most once a minute per workspace, naming the workspace and why — never the key.
   */
  function openedKeys(appId: string, row: FeatureKeyRow): string[] {
    try {
      return openFeatureKeys(row, box, clock.now())
    } catch (err) {
      if (!(err instanceof SealedValueError)) throw err
      const now = clock.now()
      const last = warnedAt.get(appId)
      if (last === undefined || now - last >= UNOPENED_KEY_WARNING_MS) {
        warnedAt.set(appId, now)
        log.warn(
          { workspaceId: appId, feature: 'push', reason: err.message },
          'the workspace Push key does not open under this server secret: its Push requests ' +
            'fail with "Signature not verified" until INLET_SECRET_KEY is the one it was ' +
            'sealed under, or the key is rotated (docs/auth.md)',
        )
      }
      return []
    }
  }

  async function verify(request: FastifyRequest): Promise<void> {
    const body = isObject(request.body) ? request.body : {}
    const appId = fromHeaders ? single(request.headers['x-moe-appkey']) : body['appId']
    if (typeof appId !== 'string' || appId === '') throw new AppError('params_required')
    const signature = fromHeaders
      ? single(request.headers['x-moe-pushapi-signature'])
      : body['signature']
    if (typeof signature !== 'string' || signature === '') throw new AppError('signature_missing')
    const campaignName = body['campaignName']
    if (campaignName === undefined || campaignName === null) {
      throw new AppError('field_missing', { params: { key: 'campaignName' } })
    }
    if (typeof campaignName !== 'string') {
      throw new AppError('attribute_type', {
        params: { key: 'campaignName', datatype: 'String or Unicode String.' },
      })
    }
    const entry = await cache.get(appId)
    if (entry === undefined) throw new AppError('invalid_app_id')
    const row = await cache.featureKey(appId, 'push')
    if (row === undefined) {
      throw new AppError('feature_key_not_set', { params: { feature: FEATURE_LABELS.push } })
    }
    const keys = openedKeys(appId, row)
    if (keys.length === 0) {
      throw new AppError('feature_key_not_set', { params: { feature: FEATURE_LABELS.push } })
    }
    if (!signatureAccepted(signature, appId, campaignName, keys)) {
      throw new AppError('signature_mismatch')
    }
    assertServing(entry.workspace)
    request.workspace = entry.workspace
  }

  return {
    onRequest: (request: FastifyRequest, _reply: unknown, done: (err?: Error) => void): void => {
      try {
        if (deps.isClosing()) throw new AppError('service_unavailable')
        limiter.check(request)
        assertJsonContentType(request)
      } catch (err) {
        done(err as AppError) // each check throws only AppError
        return
      }
      done()
    },
    preValidation: async (request: FastifyRequest): Promise<void> => {
      try {
        await verify(request)
      } catch (err) {
        limiter.observe(request, err)
        throw err
      }
    },
  }
}
