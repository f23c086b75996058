/**
 * The feature-key repository of the Store (re-exported by store.ts): its row type, a workspace's
 * feature-scoped API keys with their previous key in grace, and its interface.
 */

/**
 * A feature-scoped API key of a workspace (workspaces/feature-keys.ts: Push, Inform, Personalize,
 * Campaign reports): a salted SHA-256 like the Data API key's, and — for a feature whose request
 * signatures are computed from the key itself — the key sealed (encrypted) under the server secret.
 * The store interprets neither `feature` nor `sealed`.
 */
export type FeatureKeyRow = Readonly<{
  workspaceId: string
  feature: string
  hash: string
  salt: string
  /** The key encrypted under the server secret (workspaces/secret-box.ts); null when not kept. */
  sealed: string | null
  createdAt: number
  /** When the key was last replaced by a rotation; null until then. */
  rotatedAt: number | null
  /** The key replaced by a rotation with a grace period, accepted until `expiresAt`. */
  previous?: PreviousFeatureKey
}>

/** A rotated-out feature key: as the current one, and when it stops working. */
export type PreviousFeatureKey = Readonly<{
  hash: string
  salt: string
  sealed: string | null
  expiresAt: number
}>

/** The feature-scoped keys of workspaces: at most one row per (workspace, feature). */
export interface FeatureKeyRepo {
  get(workspaceId: string, feature: string): Promise<FeatureKeyRow | undefined>
  /** The workspace's keys, by feature name. */
  list(workspaceId: string): Promise<FeatureKeyRow[]>
  /** Creates the row of (workspace, feature) or replaces it whole (a row without `previous` has none). */
  set(row: FeatureKeyRow): Promise<void>
  /** Removes the row of (workspace, feature), previous key included; true when there was one. */
  delete(workspaceId: string, feature: string): Promise<boolean>
}
