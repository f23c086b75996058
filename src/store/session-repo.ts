/**
 * The session repository of the Store (re-exported by store.ts): the dashboard's signed-in
 * sessions, kept in the store so that every Inlet process on it knows them (a session signed in
 * through one process works through another behind a load balancer, and signing out through one
 * ends it on all). What a session may see and how its token is made are
 * families/dashboard/sessions.ts's; the store keeps rows.
 */

/** One signed-in session. */
export type SessionRow = Readonly<{
  /** The SHA-256 of the session's token (the cookie's value), hex: the token is never stored. */
  tokenHash: string
  /** The one workspace the session sees; null for an operator's, which sees every workspace. */
  workspaceId: string | null
  /** The CSRF token every state-changing request of the session echoes. */
  csrf: string
  createdAt: number
  /** When it ends (ms); it is not answered from then on, and swept. */
  expiresAt: number
}>

export interface SessionRepo {
  /** Keeps a new session, and removes every session expired by its `createdAt`. */
  create(row: SessionRow): Promise<void>
  /** The session of a token hash, unless it has expired by `now` (or ended, or never was). */
  get(tokenHash: string, now: number): Promise<SessionRow | undefined>
  /** Ends one session; nothing when there is none. */
  end(tokenHash: string): Promise<void>
  /** Ends every session of one workspace (its key was rotated); how many. */
  endWorkspace(workspaceId: string): Promise<number>
  /** Removes the sessions expired by `now`; how many. */
  sweep(now: number): Promise<number>
}
