/**
 * The in-memory view of the profile store that one processor batch works on: loaded once from a
 * BatchSnapshot, owned by this batch (rows are fresh from the store), read and changed by the steps synchronously, and turned into BatchChanges that the
 * store writes in one transaction with the cursor. Steps never touch the store directly, so they are
 * plain functions of (record, state) and the batch commits all or nothing.
 *
 * Events are the exception to "in memory": a user may have any number of them, so the state holds
 * only how many each user has, and a merge (or its undo) is an EventChange the store carries out
 * in SQL at commit, in batch order (store.ts).
 */
import type {
  BatchSnapshot,
  CardSend,
  DeletionRow,
  DeviceRow,
  EventChange,
  EventRow,
  IdentityValue,
  MembershipChange,
  MergeRow,
  RecordOutcomeRow,
  SubscriptionChange,
  UserRow,
} from '../store/store.js'

/** Re-exported for the steps: the store's identifier value. */
export type { IdentityValue }

export type BatchState = Readonly<{
  userByCustomerId(workspaceId: string, customerId: string): UserRow | undefined
  userById(workspaceId: string, id: string): UserRow | undefined
  /** spec §6.2: the users holding an identifier value (loaded for records with `identities`). */
  usersByIdentity(workspaceId: string, name: string, value: string): UserRow[]
  /** Replaces a user's identity links (written at commit). */
  setIdentityLinks(user: UserRow, links: readonly IdentityValue[]): void
  /** Adds or replaces a user; the row is written at commit. */
  putUser(user: UserRow): void
  device(workspaceId: string, deviceId: string): DeviceRow | undefined
  devicesOfUser(workspaceId: string, userId: string): DeviceRow[]
  putDevice(device: DeviceRow): void
  deleteDevice(workspaceId: string, deviceId: string): void
  addEvent(event: EventRow): void
  /**
   * Merge `mergeId` (applied by the record `beforeSeq`): every event `fromUserId` holds goes to
   * `toUserId`, at commit; returns how many (the stored ones as counted for the users a record
   * may merge away, and those this batch gave it).
   */
  mergeEvents(
    m: Readonly<{
      workspaceId: string
      mergeId: number
      fromUserId: string
      toUserId: string
      beforeSeq: number
    }>,
  ): number
  /** Undo of merge `mergeId`: the `count` events it moved go from `fromUserId` back to `toUserId`. */
  unmergeEvents(
    m: Readonly<{ workspaceId: string; mergeId: number; fromUserId: string; toUserId: string }>,
    count: number,
  ): void
  /** The events `seqs` go from `fromUserId` to `toUserId` (an undo of a merge that listed them). */
  moveEvents(
    workspaceId: string,
    seqs: readonly number[],
    fromUserId: string,
    toUserId: string,
  ): void
  deleteEvent(workspaceId: string, seq: number, userId: string): void
  /**
   * Removes a user with its devices and events (spec §7.8): the user row before the batch's
   * upserts, its events after the batch's event changes (store.ts BatchChanges.deletedUsers).
   */
  deleteUser(user: UserRow): void
  scheduleDeletion(deletion: DeletionRow): void
  merge(workspaceId: string, id: number): MergeRow | undefined
  putMerge(merge: MergeRow): void
  addOutcome(outcome: RecordOutcomeRow): void
  /**
   * A change of preference rows, carried out by the store at commit in the order given, over the
   * rows as they are then (store/consent-repo.ts SubscriptionChange).
   */
  changeSubscriptions(change: SubscriptionChange): void
  /**
   * A change of list memberships (a merge moving them, its undo putting them back), carried out
   * by the store at commit in the order given (store/segment-list-repo.ts MembershipChange).
   */
  changeMemberships(change: MembershipChange): void
  /**
   * Cards an event-triggered campaign sends (written at commit where the user has none of the
   * id, with their messages); a user this batch deletes afterwards gets none.
   */
  sendCards(sends: readonly CardSend[]): void
  /** Whether this batch carries `userId`'s preferences to another user (a merge). */
  carriesSubscriptionsOf(workspaceId: string, userId: string): boolean
  changes(): Readonly<{
    users: UserRow[]
    devices: DeviceRow[]
    deletedDevices: { workspaceId: string; deviceId: string }[]
    events: EventRow[]
    eventChanges: EventChange[]
    merges: MergeRow[]
    scheduledDeletions: DeletionRow[]
    identityLinks: { workspaceId: string; userId: string; links: IdentityValue[] }[]
    deletedUsers: { workspaceId: string; userId: string }[]
    outcomes: RecordOutcomeRow[]
    subscriptionChanges: SubscriptionChange[]
    membershipChanges: MembershipChange[]
    cardSends: CardSend[]
  }>
}>

const k = (a: string, b: string): string => `${a}\u0000${b}`

export function createBatchState(snapshot: BatchSnapshot): BatchState {
  const users = new Map<string, UserRow>()
  const usersById = new Map<string, UserRow>()
  /** The customer-id key each user object is filed under in `users`. */
  const storedUnder = new WeakMap<UserRow, string>()
  for (const u of snapshot.users) {
    if (u.customerId !== null) {
      users.set(k(u.workspaceId, u.customerId), u)
      storedUnder.set(u, k(u.workspaceId, u.customerId))
    }
    usersById.set(k(u.workspaceId, u.id), u)
  }
  /** Events held per user, as far as known (users not counted by the snapshot start at 0). */
  const eventCounts = new Map<string, number>()
  for (const c of snapshot.eventCounts ?? []) eventCounts.set(k(c.workspaceId, c.userId), c.count)
  const countOf = (ws: string, userId: string): number => eventCounts.get(k(ws, userId)) ?? 0
  const addCount = (ws: string, userId: string, n: number): void => {
    eventCounts.set(k(ws, userId), Math.max(0, countOf(ws, userId) + n))
  }
  const eventChanges: EventChange[] = []
  const merges = new Map<string, MergeRow>()
  for (const m of snapshot.merges ?? []) merges.set(k(m.workspaceId, String(m.id)), m)
  const dirtyMerges = new Map<string, MergeRow>()
  /** identity (workspace, name, value) → user ids; and each user's current links. */
  const holders = new Map<string, Set<string>>()
  const linksOf = new Map<string, IdentityValue[]>()
  const relinked = new Map<
    string,
    { workspaceId: string; userId: string; links: IdentityValue[] }
  >()
  const idKey = (ws: string, name: string, value: string): string =>
    `${ws}\u0000${name}\u0000${value}`
  const link = (ws: string, userId: string, links: readonly IdentityValue[]): void => {
    for (const old of linksOf.get(k(ws, userId)) ?? []) {
      holders.get(idKey(ws, old.name, old.value))?.delete(userId)
    }
    linksOf.set(k(ws, userId), [...links])
    for (const l of links) {
      const key = idKey(ws, l.name, l.value)
      const set = holders.get(key) ?? new Set<string>()
      set.add(userId)
      holders.set(key, set)
    }
  }
  const loaded = new Map<string, IdentityValue[]>()
  for (const l of snapshot.identityLinks ?? []) {
    const key = k(l.workspaceId, l.userId)
    loaded.set(key, [...(loaded.get(key) ?? []), { name: l.name, value: l.value }])
  }
  for (const [key, links] of loaded) {
    const [ws = '', userId = ''] = key.split('\u0000')
    link(ws, userId, links)
  }
  const scheduled: DeletionRow[] = []
  const deletedUsers: { workspaceId: string; userId: string }[] = []
  const devices = new Map<string, DeviceRow>()
  /**
   * (workspace, user) → the keys in `devices` of that user's devices, so that a device record does
   * not scan the batch's devices; listed in the order of `devices` (a Map's insertion order).
   */
  const devicesByUser = new Map<string, Set<string>>()
  const position = new Map<string, number>()
  let filed = 0
  const fileDevice = (key: string, d: DeviceRow): void => {
    const previous = devices.get(key)
    if (previous === undefined) position.set(key, filed++)
    else devicesByUser.get(k(previous.workspaceId, previous.userId))?.delete(key)
    devices.set(key, d)
    const owner = k(d.workspaceId, d.userId)
    const set = devicesByUser.get(owner) ?? new Set<string>()
    set.add(key)
    devicesByUser.set(owner, set)
  }
  const unfileDevice = (key: string): void => {
    const previous = devices.get(key)
    if (previous === undefined) return
    devicesByUser.get(k(previous.workspaceId, previous.userId))?.delete(key)
    devices.delete(key)
    position.delete(key)
  }
  const deviceKeysOf = (workspaceId: string, userId: string): string[] =>
    [...(devicesByUser.get(k(workspaceId, userId)) ?? [])].sort(
      (a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0),
    )
  for (const d of snapshot.devices) fileDevice(k(d.workspaceId, d.deviceId), d)
  const dirtyUsers = new Set<UserRow>()
  const dirtyDevices = new Map<string, DeviceRow>()
  const deleted = new Map<string, { workspaceId: string; deviceId: string }>()
  const events: EventRow[] = []
  const outcomes: RecordOutcomeRow[] = []
  const subscriptionChanges: SubscriptionChange[] = []
  const membershipChanges: MembershipChange[] = []
  let cardSends: CardSend[] = []

  return {
    userByCustomerId: (workspaceId, customerId) => users.get(k(workspaceId, customerId)),
    userById: (workspaceId, id) => usersById.get(k(workspaceId, id)),
    usersByIdentity: (workspaceId, name, value) =>
      [...(holders.get(idKey(workspaceId, name, value)) ?? [])].flatMap((id) => {
        const user = usersById.get(k(workspaceId, id))
        return user === undefined ? [] : [user]
      }),
    setIdentityLinks: (user, links) => {
      link(user.workspaceId, user.id, links)
      relinked.set(k(user.workspaceId, user.id), {
        workspaceId: user.workspaceId,
        userId: user.id,
        links: [...links],
      })
    },
    putUser: (user) => {
      // A user whose customer id changed (merged away, restored by an undo) leaves its old key.
      const current = user.customerId === null ? undefined : k(user.workspaceId, user.customerId)
      const previous = storedUnder.get(user)
      if (previous !== undefined && previous !== current && users.get(previous) === user) {
        users.delete(previous)
      }
      if (current === undefined) storedUnder.delete(user)
      else {
        storedUnder.set(user, current)
        users.set(current, user)
      }
      usersById.set(k(user.workspaceId, user.id), user)
      // Written in the order last put: a user that frees a customer id (a merge) is written
      // before the one that takes it.
      dirtyUsers.delete(user)
      dirtyUsers.add(user)
    },
    device: (workspaceId, deviceId) => devices.get(k(workspaceId, deviceId)),
    devicesOfUser: (workspaceId, userId) =>
      deviceKeysOf(workspaceId, userId).flatMap((key) => {
        const d = devices.get(key)
        return d === undefined ? [] : [d]
      }),
    putDevice: (device) => {
      const key = k(device.workspaceId, device.deviceId)
      fileDevice(key, device)
      dirtyDevices.set(key, device)
      deleted.delete(key)
    },
    deleteDevice: (workspaceId, deviceId) => {
      const key = k(workspaceId, deviceId)
      unfileDevice(key)
      dirtyDevices.delete(key)
      deleted.set(key, { workspaceId, deviceId })
    },
    addEvent: (event) => {
      // Written with the user it was made for; later changes in the batch move it in the store.
      events.push(event)
      addCount(event.workspaceId, event.userId, 1)
    },
    mergeEvents: (m) => {
      const moved = countOf(m.workspaceId, m.fromUserId)
      addCount(m.workspaceId, m.toUserId, moved)
      eventCounts.set(k(m.workspaceId, m.fromUserId), 0)
      eventChanges.push({ kind: 'merge', ...m })
      return moved
    },
    unmergeEvents: (m, count) => {
      addCount(m.workspaceId, m.fromUserId, -count)
      addCount(m.workspaceId, m.toUserId, count)
      eventChanges.push({ kind: 'unmerge', ...m })
    },
    moveEvents: (workspaceId, seqs, fromUserId, toUserId) => {
      if (seqs.length === 0) return
      addCount(workspaceId, fromUserId, -seqs.length)
      addCount(workspaceId, toUserId, seqs.length)
      eventChanges.push({ kind: 'move', workspaceId, seqs: [...seqs], toUserId })
    },
    deleteEvent: (workspaceId, seq, userId) => {
      addCount(workspaceId, userId, -1)
      eventChanges.push({ kind: 'delete', workspaceId, seq })
    },
    deleteUser: (user) => {
      const key = storedUnder.get(user)
      if (key !== undefined && users.get(key) === user) users.delete(key)
      storedUnder.delete(user)
      usersById.delete(k(user.workspaceId, user.id))
      dirtyUsers.delete(user)
      for (const dk of deviceKeysOf(user.workspaceId, user.id)) {
        unfileDevice(dk)
        dirtyDevices.delete(dk)
      }
      // Its events, stored or added by this batch (wherever they were made), go in the store.
      eventCounts.set(k(user.workspaceId, user.id), 0)
      link(user.workspaceId, user.id, [])
      relinked.delete(k(user.workspaceId, user.id))
      if (cardSends.length > 0) {
        cardSends = cardSends.filter(
          (s) => s.card?.workspaceId !== user.workspaceId || s.card.userId !== user.id,
        )
      }
      deletedUsers.push({ workspaceId: user.workspaceId, userId: user.id })
    },
    scheduleDeletion: (deletion) => {
      scheduled.push(deletion)
    },
    merge: (workspaceId, id) => merges.get(k(workspaceId, String(id))),
    putMerge: (merge) => {
      const key = k(merge.workspaceId, String(merge.id))
      merges.set(key, merge)
      dirtyMerges.set(key, merge)
    },
    addOutcome: (outcome) => {
      outcomes.push(outcome)
    },
    changeSubscriptions: (change) => {
      subscriptionChanges.push(change)
    },
    changeMemberships: (change) => {
      membershipChanges.push(change)
    },
    sendCards: (sends) => {
      cardSends.push(...sends)
    },
    carriesSubscriptionsOf: (workspaceId, userId) =>
      subscriptionChanges.some(
        (c) => c.kind === 'carry' && c.workspaceId === workspaceId && c.fromUserId === userId,
      ),
    changes: () => ({
      users: [...dirtyUsers],
      devices: [...dirtyDevices.values()],
      deletedDevices: [...deleted.values()],
      events,
      eventChanges,
      merges: [...dirtyMerges.values()],
      scheduledDeletions: scheduled,
      identityLinks: [...relinked.values()],
      deletedUsers,
      outcomes,
      subscriptionChanges,
      membershipChanges,
      cardSends,
    }),
  }
}
