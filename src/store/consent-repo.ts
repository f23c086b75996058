/**
 * The consent repository of the Store (re-exported by store.ts): a workspace's subscription
 * categories, and each user's subscription state per channel — the unsubscribe-all flag and email
 * opt-in status (`subscription_status`), one row per category the user set
 * (`subscription_preferences`). The store interprets no category or status: which names are valid,
 * what unsubscribe-all means and the all-false rule are the consent family's (families/consent).
 * A processor batch changes them too, at commit (SubscriptionChange: the Data API's linked
 * attributes, merges), over the rows as they are then; the rules those follow are written below
 * and carried out in each adapter's SQL, the opt-out status given by the processor.
 *
 * Preference rows belong to a user row (`users`): the schema removes them with their user
 * (a foreign key ON DELETE CASCADE on both adapters), so a deletion, an erasure or any later way a
 * user row goes takes them along in its own transaction, and a write for a user that is gone
 * writes nothing.
 */

/** A subscription category a workspace defines (MoEngage: Settings > Email > Subscription). */
export type SubscriptionCategoryRow = Readonly<{
  workspaceId: string
  /** The category's name as clients send it: case-sensitive, unique in its workspace. */
  name: string
  description: string
  /** An inactive category is kept (and so are its users' choices) but refused in requests. */
  active: boolean
  createdAt: number
  updatedAt: number
}>

/** A user's subscription state on one channel (`email`). */
export type SubscriptionStatusRow = Readonly<{
  workspaceId: string
  userId: string
  channel: string
  /** Unsubscribed from every category, whatever each category's own value. */
  unsubscribedAll: boolean
  /** `DOUBLE_OPTED_IN`, `OPTED_OUT`, `OPT_IN_PENDING`, or null when never set. */
  optInStatus: string | null
  updatedAt: number
}>

/** A user's choice for one category on one channel. */
export type CategoryPreferenceRow = Readonly<{
  workspaceId: string
  userId: string
  channel: string
  category: string
  subscribed: boolean
  updatedAt: number
}>

/** One user's change: the fields given are set, the others kept (a new row: false and null). */
export type SubscriptionUpdate = Readonly<{
  workspaceId: string
  userId: string
  channel: string
  at: number
  unsubscribedAll?: boolean
  optInStatus?: string
  /** Categories set to these values; the user's other categories are kept. */
  categories: Readonly<Record<string, boolean>>
}>

/**
 * A change of preference rows that a processor batch makes at commit, in batch order
 * (BatchChanges.subscriptionChanges), each over the rows as they are then — never over a copy
 * loaded earlier, so a request answered meanwhile is not overwritten:
 *
 * - `set`: Data API attributes linked to preferences (profile/subscriptions.ts). Like
 *   ConsentRepo.update, but a row is written only when it is not newer than `update.at` (a
 *   preference request answered after the record was accepted wins); only categories the
 *   workspace defines (active or not) are written; and when `exclusive`, the user's other
 *   categories of the channel that are unsubscribed become subscribed (the list was the whole set).
 * - `carry`: a merge (spec §7.7, §6.2) gives `toUserId` what `fromUserId` chose, withdrawals of
 *   consent winning: per channel, unsubscribed from all when either is; opt-in status `optedOut`
 *   when either has it, else the retained user's, else the merged user's; per category,
 *   unsubscribed when either is, a category only the merged user set is copied. A row takes the
 *   newer time when the carry changed it. The merged user's rows are kept (an undo finds them).
 *
 * Both write nothing for a user that does not exist.
 */
export type SubscriptionChange =
  | Readonly<{ kind: 'set'; update: SubscriptionUpdate; exclusive: boolean }>
  | Readonly<{
      kind: 'carry'
      workspaceId: string
      fromUserId: string
      toUserId: string
      /** The opt-in status that withdraws consent (OPTED_OUT). */
      optedOut: string
    }>

/** The rows of some users: their statuses and category choices, in no particular order. */
export type UserSubscriptions = Readonly<{
  statuses: SubscriptionStatusRow[]
  preferences: CategoryPreferenceRow[]
}>

export interface ConsentRepo {
  /** The workspace's categories, oldest first (then by name). */
  categories(workspaceId: string): Promise<SubscriptionCategoryRow[]>
  /** Creates the category or replaces its description and state (createdAt kept). */
  putCategory(row: SubscriptionCategoryRow): Promise<void>
  /** Removes the category and every user's choice for it; true when there was one. */
  removeCategory(workspaceId: string, name: string): Promise<boolean>
  /** The subscription rows of these users (of the workspace). */
  subscriptionsOf(workspaceId: string, userIds: readonly string[]): Promise<UserSubscriptions>
  /**
   * Applies every update in one transaction; an update whose user does not exist (any more) is
   * skipped. Resolves to the number of updates applied.
   */
  update(updates: readonly SubscriptionUpdate[]): Promise<number>
  /**
   * The users whose email (`u_em`) is one of `emails`, compared case-blind; each with the email
   * as stored. Ordered by user id.
   */
  usersWithEmail(
    workspaceId: string,
    emails: readonly string[],
  ): Promise<{ userId: string; email: string }[]>
}

/**
 * The updates of one batch with each (workspace, user, channel) once: later updates win field by
 * field and their categories are added to the earlier ones'. Both adapters write the merged list.
 */
export function mergeSubscriptionUpdates(
  updates: readonly SubscriptionUpdate[],
): SubscriptionUpdate[] {
  const byUser = new Map<string, SubscriptionUpdate>()
  for (const u of updates) {
    const key = `${u.workspaceId}\u0000${u.userId}\u0000${u.channel}`
    const earlier = byUser.get(key)
    if (earlier === undefined) {
      byUser.set(key, u)
      continue
    }
    const unsubscribedAll = u.unsubscribedAll ?? earlier.unsubscribedAll
    const optInStatus = u.optInStatus ?? earlier.optInStatus
    byUser.set(key, {
      workspaceId: u.workspaceId,
      userId: u.userId,
      channel: u.channel,
      at: u.at,
      ...(unsubscribedAll === undefined ? {} : { unsubscribedAll }),
      ...(optInStatus === undefined ? {} : { optInStatus }),
      categories: { ...earlier.categories, ...u.categories },
    })
  }
  return [...byUser.values()]
}
