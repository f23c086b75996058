/**
 * The gateway checks of spec §4.5 that come before the body, for the Basic-auth variants of
 * http/auth.ts: workspace id in path or query (§2.3) or the Basic user, Basic auth (§2.1) against
 * the workspace's Data key (or, during a rotation's grace period, its previous key) or another
 * feature's key, the `MOE-APPKEY` / `X-MOE-APPKEY` header (§2.2: cross-checked when sent, or
 * required), workspace state (§4.4) and the Content-Type header. On success the request carries
 * its workspace. Runs as an onRequest hook, so a request that fails here is answered before its
 * body is read. The Data API's variant (DATA_AUTH) is the spec's, unchanged.
 *
 * It also owns the workspace cache of the hot path: each authenticated workspace row (settings
 * already parsed by the store), the digest of the key last verified against it, and the
 * workspace's feature keys as read, kept for `ttlMs` (changes made by other processes, e.g. the
 * CLI, are seen within that time) and dropped at once by `invalidate` when this process changes
 * the workspace or its keys.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyRequest } from 'fastify'
import { systemClock, type Clock } from '../core/clock.js'
import { AppError } from '../core/errors.js'
import type { FeatureKeyRow, Store, Workspace } from '../store/store.js'
import { FEATURE_LABELS } from '../workspaces/feature-keys.js'
import { verifyKey } from '../workspaces/keys.js'
import { noAuthFailureLimit, type AuthFailureLimiter } from './auth-failures.js'
import { hasNul } from './nul.js'
import { DATA_AUTH, INLET_AUTH, featureKeyAccepted, type BasicAuth } from './auth.js'

declare module 'fastify' {
  interface FastifyRequest {
    workspace: Workspace | null
  }
}

type Credentials = { user: string; secret: string }

/**
 * What the gateway's checks read of a request and set on it: a FastifyRequest, or the request of
 * the Data API's raw ingest path (families/data/raw-ingest.ts), which runs the same checks.
 */
export type AuthRequest = {
  readonly headers: IncomingHttpHeaders
  /** Route params (`id`: the workspace in the path). */
  readonly params: unknown
  /** The parsed query (`app_id`). */
  readonly query: unknown
  workspace: Workspace | null
  verifiedWorkspaceId: string | null
}

/** spec §4.4: the 401 for each way an Authorization header can be unusable. */
export function parseBasicAuth(header: string | undefined): Credentials {
  if (header === undefined) throw new AppError('auth_header_required')
  const value = header.trim()
  if (value === '') throw new AppError('auth_empty')
  const space = value.indexOf(' ')
  const scheme = space === -1 ? value : value.slice(0, space)
  if (scheme.toLowerCase() !== 'basic') throw new AppError('auth_not_basic')
  const encoded = space === -1 ? '' : value.slice(space + 1).trim()
  if (encoded === '') throw new AppError('auth_empty')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
    throw new AppError('auth_undecodable')
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon === -1) throw new AppError('auth_undecodable')
  const user = decoded.slice(0, colon)
  const secret = decoded.slice(colon + 1)
  if (user === '') throw new AppError('auth_username_missing')
  if (secret === '') throw new AppError('auth_password_missing')
  return { user, secret }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/**
 * spec §2.3: the workspace ids the request names in its path and `?app_id=` (one or two); none is
 * 400 ParamsRequired. Two that differ are a mismatch, but answered only at the param/auth step of
 * §4.5 (after auth), so an unauthenticated caller learns nothing from a 409.
 */
export function workspaceIdsOf(request: Pick<AuthRequest, 'params' | 'query'>): readonly string[] {
  const params = request.params as Record<string, string | undefined> // route params are strings
  const query = request.query as Record<string, string | string[] | undefined> // parsed query
  const fromPath = params['id'] || undefined
  const fromQuery = single(query['app_id']) || undefined
  const ids = [fromPath, fromQuery].filter((id): id is string => id !== undefined)
  if (ids.length === 0) throw new AppError('params_required')
  return ids
}

/**
 * The ids `?app_id=` names where the Basic-auth user names the workspace (`basic-user`: Inlet's own
 * endpoints `/inlet/v1/…` and most families beyond Data): none, or the one it must match.
 */
function inletAppIds(request: Pick<AuthRequest, 'query'>): readonly string[] {
  const query = request.query as Record<string, string | string[] | undefined> // parsed query
  const appId = single(query['app_id']) || undefined
  return appId === undefined ? [] : [appId]
}

/**
 * `data`: the Data API checks above (DATA_AUTH). `inlet`: Inlet's own endpoints (`/inlet/v1/…`,
 * INLET_AUTH), where the Basic-auth user names the workspace (an `?app_id=`, when given, must
 * match) and a GET carries no body, so no Content-Type is required.
 */
export type GatewayKind = 'data' | 'inlet'

/**
 * spec §4.4: the current key, or — during the grace period of a rotation — the key it replaced.
 * Both comparisons always run, so timing does not tell which key a guess came close to.
 */
export function keyAccepted(secret: string, workspace: Workspace, nowMs: number): boolean {
  if (workspace.keyHash === null || workspace.keySalt === null) return false
  const current = verifyKey(secret, { hash: workspace.keyHash, salt: workspace.keySalt })
  const previous = workspace.previousKey
  const old = previous !== undefined && previous.expiresAt > nowMs && verifyKey(secret, previous)
  return current || old
}

/** How long a cached workspace is trusted without reading it again (other processes' changes). */
export const WORKSPACE_CACHE_TTL_MS = 1_000
/**
 * A key the cached row refuses reads the row again if it was read longer ago than this, so a key
 * just set by another process (the CLI) works at once instead of failing — and counting against
 * the failed-auth limiter — until the TTL ends; a flood of wrong keys reads a workspace at most
 * once per this interval.
 */
export const WORKSPACE_REREAD_MS = 100
const MAX_CACHED_WORKSPACES = 10_000

type CachedWorkspace = {
  workspace: Workspace
  /** clock.now() when the row was read. */
  readAt: number
  /** Digest of the key last accepted for this row, and until when that acceptance holds. */
  verified: { digest: Buffer; until: number } | undefined
}

/** A feature key as read (undefined: the feature has no key) and when. */
type CachedKey = { row: FeatureKeyRow | undefined; readAt: number }

export type WorkspaceCache = Readonly<{
  /**
   * The workspace, from memory when read less than `maxAgeMs` (default: the TTL) ago; unknown ids
   * are not cached.
   */
  get(id: string, maxAgeMs?: number): Promise<CachedWorkspace | undefined>
  /**
   * The key of `feature` of workspace `id` (undefined: none), from memory when read less than
   * `maxAgeMs` (default: the TTL) ago. Asked only for a workspace that exists, so the entries are
   * bounded by workspaces.
   */
  featureKey(id: string, feature: string, maxAgeMs?: number): Promise<FeatureKeyRow | undefined>
  /** Forgets one workspace and its keys (changed through this process): read again next time. */
  invalidate(id: string): void
}>

export function createWorkspaceCache(deps: {
  store: Store
  clock?: Clock
  ttlMs?: number
}): WorkspaceCache {
  const clock = deps.clock ?? systemClock
  const ttlMs = deps.ttlMs ?? WORKSPACE_CACHE_TTL_MS
  const entries = new Map<string, CachedWorkspace>()
  /** Feature keys by workspace id, then feature; `row` undefined: the feature has no key. */
  const keys = new Map<string, Map<string, CachedKey>>()
  /** Bumped by invalidate, so a read that started before a change is not cached after it. */
  let generation = 0
  return {
    get: async (id, maxAgeMs = ttlMs) => {
      // A Basic username may hold a NUL (the URL and body cannot, http/nul.ts): no workspace
      // id does, and PostgreSQL could not even be asked.
      if (hasNul(id)) return undefined
      const now = clock.now()
      const hit = entries.get(id)
      // A clock set backwards (tests) reads again rather than trusting a row from the future.
      if (hit !== undefined && now - hit.readAt < Math.min(maxAgeMs, ttlMs) && now >= hit.readAt) {
        return hit
      }
      const started = generation
      const workspace = await deps.store.workspaces.get(id)
      if (workspace === undefined) {
        entries.delete(id)
        return undefined
      }
      const entry: CachedWorkspace = { workspace, readAt: now, verified: undefined }
      if (started === generation && ttlMs > 0) {
        if (entries.size >= MAX_CACHED_WORKSPACES) entries.clear()
        entries.set(id, entry)
      }
      return entry
    },
    featureKey: async (id, feature, maxAgeMs = ttlMs) => {
      const now = clock.now()
      const hit = keys.get(id)?.get(feature)
      if (hit !== undefined && now - hit.readAt < Math.min(maxAgeMs, ttlMs) && now >= hit.readAt) {
        return hit.row
      }
      const started = generation
      const row = await deps.store.keys.get(id, feature)
      if (started === generation && ttlMs > 0) {
        if (keys.size >= MAX_CACHED_WORKSPACES) keys.clear()
        const byFeature = keys.get(id) ?? new Map<string, CachedKey>()
        byFeature.set(feature, { row, readAt: now })
        keys.set(id, byFeature)
      }
      return row
    },
    invalidate: (id) => {
      generation++
      entries.delete(id)
      keys.delete(id)
    },
  }
}

/**
 * The store with its workspace and feature-key writes dropping the written workspace from
 * `cache`, so that every change made through this process (admin API, tests) is seen by the next
 * request.
 */
export function invalidatingWorkspaceWrites(store: Store, cache: WorkspaceCache): Store {
  const repo = store.workspaces
  const keys = store.keys
  /** `write`, then (even when it fails) the workspace it wrote dropped from the cache. */
  const invalidating = async <T>(workspaceId: string, write: Promise<T>): Promise<T> => {
    try {
      return await write
    } finally {
      cache.invalidate(workspaceId)
    }
  }
  return {
    kind: store.kind,
    log: store.log,
    profiles: store.profiles,
    processing: store.processing,
    quotas: store.quotas,
    browse: store.browse,
    consent: store.consent,
    segments: store.segments,
    customSegments: store.customSegments,
    segmentLists: store.segmentLists,
    sessions: store.sessions,
    refusals: store.refusals,
    alerts: store.alerts,
    outbox: store.outbox,
    push: store.push,
    liveActivities: store.liveActivities,
    fileImports: store.fileImports,
    cards: store.cards,
    close: () => store.close(),
    keys: {
      get: (workspaceId, feature) => keys.get(workspaceId, feature),
      list: (workspaceId) => keys.list(workspaceId),
      set: (row) => invalidating(row.workspaceId, keys.set(row)),
      delete: (workspaceId, feature) =>
        invalidating(workspaceId, keys.delete(workspaceId, feature)),
    },
    workspaces: {
      get: (id) => repo.get(id),
      list: () => repo.list(),
      create: (workspace) => invalidating(workspace.id, repo.create(workspace)),
      update: (id, patch) => invalidating(id, repo.update(id, patch)),
    },
  }
}

/** A per-process random salt: digests of accepted keys held in memory are useless elsewhere. */
const DIGEST_SALT = randomBytes(16).toString('hex')

/** One-shot `hash` (no Hash object per request: the gateway runs this on every request). */
function keyDigest(secret: string): Buffer {
  return hash('sha256', DIGEST_SALT + secret, 'buffer')
}

/**
 * keyAccepted with the cached entry: a key equal (constant-time) to the one last accepted for
 * this row, while that acceptance holds, is accepted without hashing it against the row again.
 * Only successes are remembered; a refused key is checked in full every time.
 */
function cachedKeyAccepted(secret: string, entry: CachedWorkspace, nowMs: number): boolean {
  const digest = keyDigest(secret)
  const v = entry.verified
  if (v !== undefined && nowMs < v.until && timingSafeEqual(digest, v.digest)) return true
  const { workspace } = entry
  if (workspace.keyHash === null || workspace.keySalt === null) return false
  const current = verifyKey(secret, { hash: workspace.keyHash, salt: workspace.keySalt })
  const previous = workspace.previousKey
  const old = previous !== undefined && previous.expiresAt > nowMs && verifyKey(secret, previous)
  if (current || old) {
    // A previous key is accepted only until its grace period ends, even from the cache.
    entry.verified = {
      digest,
      until: current ? Number.POSITIVE_INFINITY : (previous?.expiresAt ?? nowMs),
    }
    return true
  }
  return false
}

/** What every gateway variant needs. */
export type GatewayDeps = {
  store: Store
  isClosing: () => boolean
  clock?: Clock
  cache?: WorkspaceCache
  /** Blocks addresses after repeated failed authentications (default: no limit). */
  authFailures?: AuthFailureLimiter
}

/** The Basic-auth variant a GatewayKind stands for. */
export function basicVariantOf(kind: GatewayKind | BasicAuth): BasicAuth {
  if (kind === 'data') return DATA_AUTH
  if (kind === 'inlet') return INLET_AUTH
  return kind
}

/**
 * The gateway of one Basic-auth variant (http/auth.ts BasicAuth; `data` and `inlet` name the Data
 * API's and Inlet's own). The checks, in order (spec §4.5): the workspace id (params), the
 * Authorization header, the workspace, its key for the variant's feature (set, then matching),
 * params against the Basic user, the app-key header, the account state, the Content-Type.
 */
export function createGateway(deps: GatewayDeps, kind: GatewayKind | BasicAuth = 'data') {
  const authenticate = createAuthenticator(deps, kind)
  const limiter = deps.authFailures ?? noAuthFailureLimit
  return async function gateway(request: FastifyRequest): Promise<void> {
    if (deps.isClosing()) throw new AppError('service_unavailable')
    limiter.check(request)
    try {
      await authenticate(request)
    } catch (err) {
      limiter.observe(request, err)
      throw err
    }
  }
}

/**
 * The checks of one Basic-auth variant after shutdown and the failed-auth block (createGateway
 * runs those first and counts this one's failures): on success `request.workspace` is set; a
 * failure throws its AppError.
 */
export function createAuthenticator(
  deps: GatewayDeps,
  kind: GatewayKind | BasicAuth = 'data',
): (request: AuthRequest) => Promise<void> {
  const variant = basicVariantOf(kind)
  const clock = deps.clock ?? systemClock
  const cache = deps.cache ?? createWorkspaceCache({ store: deps.store, clock })
  const appKeyHeader = variant.appKeyHeader.toLowerCase()
  return async function authenticate(request: AuthRequest): Promise<void> {
    const paramIds =
      variant.workspaceFrom === 'path-or-query' ? workspaceIdsOf(request) : inletAppIds(request)
    const { user, secret } = parseBasicAuth(request.headers.authorization)
    let entry = await cache.get(user)
    if (entry === undefined) {
      throw new AppError(paramIds.includes(user) ? 'invalid_app_id' : 'auth_unknown_app_id')
    }
    if (variant.feature === 'data') {
      if (!cachedKeyAccepted(secret, entry, clock.now())) {
        // Refused by the cached row: read it again (WORKSPACE_REREAD_MS) and check the new row.
        const fresh = (await cache.get(user, WORKSPACE_REREAD_MS)) ?? entry
        const { workspace } = fresh
        if (workspace.keyHash === null || workspace.keySalt === null) {
          throw new AppError('key_not_set')
        }
        if (fresh === entry || !cachedKeyAccepted(secret, fresh, clock.now())) {
          throw new AppError('key_mismatch')
        }
        entry = fresh
      }
    } else {
      const params = { feature: FEATURE_LABELS[variant.feature] }
      const key = await cache.featureKey(user, variant.feature)
      if (key === undefined || !featureKeyAccepted(secret, key, clock.now())) {
        // Refused by the cached row: read it again (WORKSPACE_REREAD_MS) and check the new row.
        const fresh = await cache.featureKey(user, variant.feature, WORKSPACE_REREAD_MS)
        if (fresh === undefined) throw new AppError('feature_key_not_set', { params })
        if (fresh === key || !featureKeyAccepted(secret, fresh, clock.now())) {
          throw new AppError('feature_key_mismatch', { params })
        }
      }
    }
    const { workspace } = entry
    // The key is the workspace's: a refusal from here on counts for it (http/refusals.ts).
    request.verifiedWorkspaceId = workspace.id
    if (paramIds.some((id) => id !== user)) throw new AppError('app_mismatch')
    const appKey = single(request.headers[appKeyHeader])
    if (variant.appKey === 'required' && (appKey === undefined || appKey === '')) {
      throw new AppError('moe_appkey_missing', { params: { header: variant.appKeyHeader } })
    }
    if (appKey !== undefined && appKey !== user) throw new AppError('moe_appkey_mismatch')
    assertServing(workspace)
    if (variant.contentType === 'json') assertJsonContentType(request)
    request.workspace = workspace
  }
}

/** spec §4.4: a JSON body's Content-Type (400 when missing, 415 when not application/json). */
export function assertJsonContentType(request: Pick<AuthRequest, 'headers'>): void {
  const contentType = request.headers['content-type']
  if (contentType === undefined || contentType.trim() === '') {
    throw new AppError('content_type_missing')
  }
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase()
  if (mediaType !== 'application/json') throw new AppError('unsupported_media_type')
}

/** spec §4.4: a workspace that is not active is refused (400 blacklisted, 403 suspended). */
export function assertServing(workspace: Workspace): void {
  switch (workspace.state) {
    case 'active':
      return
    case 'blacklisted':
      throw new AppError('account_blacklisted')
    case 'suspended':
      throw new AppError('account_suspended')
    case 'temporarily_suspended':
      throw new AppError('account_temporarily_suspended')
  }
}
