/**
 * Dashboard sessions: who signed in (a workspace, with its Data API key, or an operator, with the
 * admin token), kept in the store (Store `sessions`) under the SHA-256 of a random token that the
 * browser holds in an HttpOnly, SameSite=Strict cookie scoped to /dashboard, with a synchronizer
 * CSRF token every state-changing request must echo in `x-csrf-token`. Every Inlet process on the
 * store knows every session: one signed in through one process works through another, and signing
 * out through one ends it on all. Sessions expire SESSION_TTL_MS after sign-in (expired ones are
 * swept as new ones are created); rotating a workspace's key ends that workspace's sessions; a
 * restart ends none (docs/dashboard.md).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../core/clock.js'
import type { SessionRow, Store } from '../../store/store.js'

export const SESSION_COOKIE = 'inlet_dashboard'
export const SESSION_TTL_MS = 8 * 3_600_000

/** Who a session is: one workspace's developer, or an operator who sees every workspace. */
export type Principal =
  Readonly<{ kind: 'workspace'; workspaceId: string }> | Readonly<{ kind: 'operator' }>

// Alike in shape to other record types (processor.ts, snapshot-rules.ts): declarations, no logic.
/** A signed-in session: its token's hash (its id in the store), who, its CSRF token, its end. */
export type Session = Readonly<{
  id: string
  principal: Principal
  csrf: string
  expiresAt: number
}>

export type Sessions = Readonly<{
  /** A new session of `principal`, and its token (the cookie's value: never stored). */
  create(principal: Principal): Promise<{ session: Session; token: string }>
  /** The live session of a cookie value, or undefined (unknown, ended, expired). */
  get(token: string | undefined): Promise<Session | undefined>
  /** Whether a session is still live (not ended through any process, not expired). */
  live(session: Session): Promise<boolean>
  end(session: Session): Promise<void>
  /** Ends every session of one workspace (its key was rotated). */
  endWorkspace(workspaceId: string): Promise<void>
}>

const token = (): string => randomBytes(24).toString('base64url')
const hashOf = (value: string): string => createHash('sha256').update(value).digest('hex')
/** A token as a browser may send it: base64url, as token() makes them (anything else: none). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/

function sessionOfRow(row: SessionRow): Session {
  return {
    id: row.tokenHash,
    principal:
      row.workspaceId === null
        ? { kind: 'operator' }
        : { kind: 'workspace', workspaceId: row.workspaceId },
    csrf: row.csrf,
    expiresAt: row.expiresAt,
  }
}

export function createSessions(store: Store, clock: Clock): Sessions {
  return {
    create: async (principal) => {
      const value = token()
      const now = clock.now()
      const row: SessionRow = {
        tokenHash: hashOf(value),
        workspaceId: principal.kind === 'workspace' ? principal.workspaceId : null,
        csrf: token(),
        createdAt: now,
        expiresAt: now + SESSION_TTL_MS,
      }
      await store.sessions.create(row)
      return { session: sessionOfRow(row), token: value }
    },
    get: async (value) => {
      if (value === undefined || !TOKEN_SHAPE.test(value)) return undefined
      const row = await store.sessions.get(hashOf(value), clock.now())
      return row === undefined ? undefined : sessionOfRow(row)
    },
    live: async (session) => (await store.sessions.get(session.id, clock.now())) !== undefined,
    end: (session) => store.sessions.end(session.id),
    endWorkspace: async (workspaceId) => {
      await store.sessions.endWorkspace(workspaceId)
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
