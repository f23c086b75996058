/**
 * The alert repository of the Store (re-exported by store.ts): a workspace's Inform alert
 * definitions (MoEngage keeps them in its dashboard; Inlet through the admin API and the CLI),
 * one row per alert with its four ways of being named — live id, test id, reference name and
 * test reference name, each unique in the workspace — its version and its definition (channels,
 * templates, senders) as a JSON object. What a definition holds and how it is checked are
 * workspaces/inform-alerts.ts's; the store keeps rows.
 */

/** One Inform alert. */
export type InformAlertRow = Readonly<{
  workspaceId: string
  /** The live alert id (`alert_id` on the live endpoint). */
  alertId: string
  /** The test alert id (`alert_id` on the sandbox endpoint). */
  testAlertId: string
  /** `alert_reference_name` on the live endpoint. */
  referenceName: string
  /** `alert_reference_name` on the sandbox endpoint; null when none. */
  testReferenceName: string | null
  /** Bumped by each change: a message records the version it was rendered from. */
  version: number
  /** Channels, templates, senders, subscription category (workspaces/inform-alerts.ts). */
  definition: Readonly<Record<string, unknown>>
  createdAt: number
  updatedAt: number
}>

/** A column an alert can be found by. */
export type AlertLookup = 'alert_id' | 'test_alert_id' | 'reference_name' | 'test_reference_name'

export interface AlertRepo {
  /** The workspace's alerts, oldest first (then by alert id). */
  list(workspaceId: string): Promise<InformAlertRow[]>
  /** The alert whose `by` column is `value`, if any. */
  find(workspaceId: string, by: AlertLookup, value: string): Promise<InformAlertRow | undefined>
  /**
   * Creates the alert, or replaces the one with the same alert id (createdAt kept). A name
   * another alert of the workspace holds makes it throw StoreConflictError.
   */
  put(row: InformAlertRow): Promise<void>
  /** Removes the alert; true when there was one. */
  remove(workspaceId: string, alertId: string): Promise<boolean>
}
