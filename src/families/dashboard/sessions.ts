/**
 * Dashboard sessions: who signed in (a workspace, with its Data API key, or an operator, with the
 * admin token), kept server-side under a random id that the browser holds in an HttpOnly,
 * SameSite=Strict cookie scoped to /dashboard, with a synchronizer CSRF token every state-changing
 * request must echo in `x-csrf-token`. Sessions expire SESSION_TTL_MS after sign-in; rotating a
 * workspace's key ends that workspace's sessions. In memory, per process, bounded in number: a
 * restart signs everyone out (docs/dashboard.md).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../core/clock.js'

export const SESSION_COOKIE = 'inlet_dashboard'
export const SESSION_TTL_MS = 8 * 3_600_000
/** Sessions kept at most; past this the oldest is dropped first. */
const MAX_SESSIONS = 10_000

/** Who a session is: one workspace's developer, or an operator who sees every workspace. */
export type Principal =
  Readonly<{ kind: 'workspace'; workspaceId: string }> | Readonly<{ kind: 'operator' }>

// Alike in shape to other record types (processor.ts, snapshot-rules.ts): declarations, no logic.
/** A signed-in session: its id (the cookie's value), who, its CSRF token, when it ends (ms). */
export type Session = Readonly<{
  id: string
  principal: Principal
  csrf: string
  expiresAt: number
}>

export type Sessions = Readonly<{
  create(principal: Principal): Session
  /** The live session of a cookie value, or undefined (unknown, expired). */
  get(id: string | undefined): Session | undefined
  end(id: string): void
  /** Ends every session of one workspace (its key was rotated). */
  endWorkspace(workspaceId: string): void
}>

const token = (): string => randomBytes(24).toString('base64url')

export function createSessions(clock: Clock): Sessions {
  const sessions = new Map<string, Session>()
  return {
    create: (principal) => {
      if (sessions.size >= MAX_SESSIONS) {
        const oldest = sessions.keys().next()
        if (oldest.done !== true) sessions.delete(oldest.value)
      }
      const session = {
        id: token(),
        principal,
        csrf: token(),
        expiresAt: clock.now() + SESSION_TTL_MS,
      }
      sessions.set(session.id, session)
      return session
    },
    get: (id) => {
      if (id === undefined) return undefined
      const session = sessions.get(id)
      if (session === undefined) return undefined
      if (session.expiresAt <= clock.now()) {
        sessions.delete(id)
        return undefined
      }
      return session
    },
    end: (id) => void sessions.delete(id),
    endWorkspace: (workspaceId) => {
      for (const [id, s] of sessions) {
        if (s.principal.kind === 'workspace' && s.principal.workspaceId === workspaceId) {
          sessions.delete(id)
        }
      }
    },
  }
}

/** Compares two secrets in constant time whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (v: string): Buffer => createHash('sha256').update(v).digest()
  return timingSafeEqual(digest(given), digest(expected)) && given !== ''
}

/** The value of one cookie of a Cookie header. */
export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** The Set-Cookie value of a session (an empty value and Max-Age=0 clears it). */
export function sessionCookie(value: string, maxAgeMs: number, secure: boolean): string {
  const attributes = [
    `${SESSION_COOKIE}=${value}`,
    'Path=/dashboard',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`,
  ]
  if (secure) attributes.push('Secure')
  return attributes.join('; ')
}
