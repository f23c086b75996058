/**
 * Signing in and out of the dashboard, and the guard of its JSON API: `POST /dashboard/api/session`
 * takes a workspace id and Data API key (the workspace's current key, or the previous one during a
 * rotation's grace period) or the admin token; each failure is a failed authentication for the
 * failed-auth limiter. Every other `/dashboard/api/` route needs a live session, and every POST,
 * PUT and DELETE its CSRF token; a route under `/dashboard/api/w/:ws/` answers only for a
 * workspace the session sees (a workspace session: its own; an operator: every one), and as if
 * any other did not exist.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Clock } from '../../core/clock.js'
import { AppError } from '../../core/errors.js'
import type { AuthFailureLimiter } from '../../http/auth-failures.js'
import { keyAccepted } from '../../http/gateway.js'
import type { Store, Workspace } from '../../store/store.js'
import {
  SESSION_COOKIE,
  SESSION_TTL_MS,
  cookieOf,
  sameSecret,
  sessionCookie,
  type Principal,
  type Session,
  type Sessions,
} from './sessions.js'

export const API_PREFIX = '/dashboard/api'
export const CONFIG = { family: 'dashboard' } as const

export type SessionDeps = Readonly<{
  store: Store
  sessions: Sessions
  clock: Clock
  authFailures: AuthFailureLimiter
  adminToken: string | undefined
  /** The session cookie is `Secure` (INLET_DASHBOARD_SECURE_COOKIE), also over plain HTTP. */
  secureCookie: boolean
}>

declare module 'fastify' {
  interface FastifyRequest {
    dashboardSession?: Session
    /** The workspace a `/w/:ws/` route is about, once the session may see it. */
    dashboardWorkspace?: Workspace
  }
}

/** The session of a guarded route (set by the guard). */
export function sessionOf(request: FastifyRequest): Session {
  const session = request.dashboardSession
  if (session === undefined) throw new AppError('dashboard_unauthorized')
  return session
}

/** The workspace of a `/w/:ws/` route (set by the guard). */
export function workspaceOf(request: FastifyRequest): Workspace {
  const workspace = request.dashboardWorkspace
  if (workspace === undefined) throw new AppError('dashboard_unauthorized')
  return workspace
}

function principalView(principal: Principal) {
  return principal.kind === 'operator'
    ? { kind: 'operator' }
    : { kind: 'workspace', workspace_id: principal.workspaceId }
}

/** A sign-in from a page of another origin is refused (login CSRF), like a missing token. */
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin
  if (origin === undefined) return
  const host = request.headers.host
  if (host === undefined || new URL(origin).host !== host) throw new AppError('dashboard_csrf')
}

async function signIn(deps: SessionDeps, request: FastifyRequest): Promise<Principal> {
  const body = (request.body ?? {}) as Record<string, unknown> // json-body.ts: an object
  const { workspace_id: id, data_api_key: key, admin_token: token } = body
  if (typeof token === 'string') {
    if (deps.adminToken !== undefined && sameSecret(token, deps.adminToken)) {
      return { kind: 'operator' }
    }
    throw new AppError('dashboard_sign_in_failed')
  }
  if (typeof id !== 'string' || typeof key !== 'string') {
    throw new AppError('dashboard_invalid_input', {
      params: {
        detail: 'Sign in with workspace_id and data_api_key, or with admin_token',
        attribute: typeof id === 'string' ? 'data_api_key' : 'workspace_id',
      },
    })
  }
  const workspace = await deps.store.workspaces.get(id)
  if (workspace === undefined || !keyAccepted(key, workspace, deps.clock.now())) {
    throw new AppError('dashboard_sign_in_failed')
  }
  return { kind: 'workspace', workspaceId: workspace.id }
}

export function sessionRoutes(api: FastifyInstance, deps: SessionDeps): void {
  const { sessions } = deps
  api.addHook('onRequest', async (request) => {
    deps.authFailures.check(request)
    if (request.routeOptions.url === `${API_PREFIX}/session` && request.method === 'POST') return
    const session = await sessions.get(cookieOf(request.headers.cookie, SESSION_COOKIE))
    if (session === undefined) throw new AppError('dashboard_unauthorized')
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const given = request.headers['x-csrf-token']
      if (typeof given !== 'string' || !sameSecret(given, session.csrf)) {
        throw new AppError('dashboard_csrf')
      }
    }
    request.dashboardSession = session
    const { ws } = (request.params ?? {}) as { ws?: string } // the /w/:ws/ routes' param
    if (ws === undefined) return
    const visible = session.principal.kind === 'operator' || session.principal.workspaceId === ws
    const workspace = visible ? await deps.store.workspaces.get(ws) : undefined
    if (workspace === undefined) {
      throw new AppError('dashboard_not_found', { params: { what: 'workspace', id: ws } })
    }
    request.dashboardWorkspace = workspace
  })

  api.post(`${API_PREFIX}/session`, { config: CONFIG }, async (request, reply) => {
    assertSameOrigin(request)
    let principal: Principal
    try {
      principal = await signIn(deps, request)
    } catch (err) {
      deps.authFailures.observe(request, err)
      throw err
    }
    const { session, token } = await sessions.create(principal)
    void reply.header(
      'set-cookie',
      sessionCookie(token, SESSION_TTL_MS, deps.secureCookie || request.protocol === 'https'),
    )
    return { principal: principalView(principal), csrf_token: session.csrf }
  })
  api.get(`${API_PREFIX}/session`, { config: CONFIG }, async (request) => {
    const session = sessionOf(request)
    const workspaces =
      session.principal.kind === 'operator'
        ? (await deps.store.workspaces.list()).map((w) => ({ id: w.id, name: w.name }))
        : [await nameOf(deps.store, session.principal.workspaceId)]
    return {
      principal: principalView(session.principal),
      csrf_token: session.csrf,
      expires_at: new Date(session.expiresAt).toISOString(),
      workspaces,
    }
  })
  api.delete(`${API_PREFIX}/session`, { config: CONFIG }, async (request, reply: FastifyReply) => {
    await sessions.end(sessionOf(request))
    void reply.header(
      'set-cookie',
      sessionCookie('', 0, deps.secureCookie || request.protocol === 'https'),
    )
    return reply.code(204).send()
  })
}

async function nameOf(store: Store, id: string): Promise<{ id: string; name: string }> {
  const workspace = await store.workspaces.get(id)
  return { id, name: workspace?.name ?? id }
}
