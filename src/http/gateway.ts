/**
 * The gateway checks of spec §4.5 that come before the body: workspace id in path or query (§2.3),
 * Basic auth (§2.1) with the `MOE-APPKEY` cross-check (§2.2), the workspace's key (or, during a
 * rotation's grace period, its previous key) and state (§4.4), and the Content-Type header. On
 * success the request carries its workspace. Runs as an onRequest hook, so a request that fails
 * here is answered before its body is read.
 */
import type { FastifyRequest } from 'fastify'
import { systemClock, type Clock } from '../clock.js'
import { AppError } from '../errors.js'
import type { Store, Workspace } from '../store/store.js'
import { verifyKey } from '../workspaces/keys.js'

declare module 'fastify' {
  interface FastifyRequest {
    workspace: Workspace | null
  }
}

type Credentials = { user: string; secret: string }

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
export function workspaceIdsOf(request: FastifyRequest): readonly string[] {
  const params = request.params as Record<string, string | undefined> // route params are strings
  const query = request.query as Record<string, string | string[] | undefined> // parsed query
  const fromPath = params['id'] || undefined
  const fromQuery = single(query['app_id']) || undefined
  const ids = [fromPath, fromQuery].filter((id): id is string => id !== undefined)
  if (ids.length === 0) throw new AppError('params_required')
  return ids
}

/**
 * `data`: the Data API checks above. `inlet`: Inlet's own endpoints (`/inlet/v1/…`), where the
 * Basic-auth user names the workspace (an `?app_id=`, when given, must match) and a GET carries no
 * body, so no Content-Type is required.
 */
function inletAppIds(request: FastifyRequest): readonly string[] {
  const query = request.query as Record<string, string | string[] | undefined> // parsed query
  const appId = single(query['app_id']) || undefined
  return appId === undefined ? [] : [appId]
}

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

export function createGateway(
  deps: { store: Store; isClosing: () => boolean; clock?: Clock },
  kind: GatewayKind = 'data',
) {
  const clock = deps.clock ?? systemClock
  return async function gateway(request: FastifyRequest): Promise<void> {
    if (deps.isClosing()) throw new AppError('service_unavailable')
    const paramIds = kind === 'data' ? workspaceIdsOf(request) : inletAppIds(request)
    const { user, secret } = parseBasicAuth(request.headers.authorization)
    const workspace = await deps.store.workspaces.get(user)
    if (workspace === undefined) {
      throw new AppError(paramIds.includes(user) ? 'invalid_app_id' : 'auth_unknown_app_id')
    }
    if (workspace.keyHash === null || workspace.keySalt === null) throw new AppError('key_not_set')
    if (!keyAccepted(secret, workspace, clock.now())) throw new AppError('key_mismatch')
    if (paramIds.some((id) => id !== user)) throw new AppError('app_mismatch')
    const appKey = single(request.headers['moe-appkey'])
    if (appKey !== undefined && appKey !== user) throw new AppError('moe_appkey_mismatch')
    switch (workspace.state) {
      case 'active':
        break
      case 'blacklisted':
        throw new AppError('account_blacklisted')
      case 'suspended':
        throw new AppError('account_suspended')
      case 'temporarily_suspended':
        throw new AppError('account_temporarily_suspended')
    }
    if (kind === 'inlet') {
      request.workspace = workspace
      return
    }
    const contentType = request.headers['content-type']
    if (contentType === undefined || contentType.trim() === '') {
      throw new AppError('content_type_missing')
    }
    const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase()
    if (mediaType !== 'application/json') throw new AppError('unsupported_media_type')
    request.workspace = workspace
  }
}
