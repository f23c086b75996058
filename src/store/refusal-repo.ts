/**
 * The refusal repository of the Store (re-exported by store.ts): records of authenticated Data API
 * requests that were refused (an answer other than 2xx), counted per workspace, minute and API, so
 * that the dashboard's workspace page charts them beside the accepted records (BrowseRepo
 * `acceptedRecords`) the same from every process on the store and across restarts. What counts as
 * refused and how counts are batched is http/refusals.ts's; the store keeps sums.
 */

/** One workspace's refused records of one API in one minute (ms since the epoch / 60,000). */
export type RefusedCount = Readonly<{
  workspaceId: string
  minute: number
  api: string
  records: number
}>

/** A workspace's refused records of one API in one minute, as read back. */
export type RefusedMinute = Readonly<{ minute: number; api: string; records: number }>

export interface RefusalRepo {
  /**
   * Adds each count to its (workspace, minute, API) sum, all of them in one transaction (a key
   * given twice adds twice).
   */
  add(counts: readonly RefusedCount[]): Promise<void>
  /** The workspace's sums of the minutes from `sinceMs` on, per minute and API. */
  since(workspaceId: string, sinceMs: number): Promise<RefusedMinute[]>
  /** Forgets the sums of every minute before `beforeMinute`; how many. */
  prune(beforeMinute: number): Promise<number>
}
