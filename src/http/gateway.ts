/**
 * The gateway checks of spec §4.5 that come before the body: workspace id in path or query (§2.3),
 * Basic auth (§2.1) with the `MOE-APPKEY` cross-check (§2.2), the workspace's key and state (§4.4),
 * and the Content-Type header. On success the request carries its workspace. Runs as an onRequest
 * hook, so a request that fails here is answered before its body is read.
 */
import type { FastifyRequest } from 'fastify'
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

/** spec §2.3: `workspace = path ?? query.app_id`; both present and different is a mismatch. */
export function workspaceIdOf(request: FastifyRequest): string {
  const params = request.params as Record<string, string | undefined> // route params are strings
  const query = request.query as Record<string, string | string[] | undefined> // parsed query
  const fromPath = params['id'] === '' ? undefined : params['id']
  const fromQuery = single(query['app_id']) || undefined
  if (fromPath !== undefined && fromQuery !== undefined && fromPath !== fromQuery) {
    throw new AppError('app_mismatch')
  }
  const id = fromPath ?? fromQuery
  if (id === undefined) throw new AppError('params_required')
  return id
}

export function createGateway(deps: { store: Store; isClosing: () => boolean }) {
  return async function gateway(request: FastifyRequest): Promise<void> {
    if (deps.isClosing()) throw new AppError('service_unavailable')
    const paramId = workspaceIdOf(request)
    const { user, secret } = parseBasicAuth(request.headers.authorization)
    const workspace = await deps.store.workspaces.get(user)
    if (workspace === undefined) {
      throw new AppError(user === paramId ? 'invalid_app_id' : 'auth_unknown_app_id')
    }
    if (workspace.keyHash === null || workspace.keySalt === null) throw new AppError('key_not_set')
    if (!verifyKey(secret, { hash: workspace.keyHash, salt: workspace.keySalt })) {
      throw new AppError('key_mismatch')
    }
    if (user !== paramId) throw new AppError('app_mismatch')
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
    const contentType = request.headers['content-type']
    if (contentType === undefined || contentType.trim() === '') {
      throw new AppError('content_type_missing')
    }
    const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase()
    if (mediaType !== 'application/json') throw new AppError('unsupported_media_type')
    request.workspace = workspace
  }
}
