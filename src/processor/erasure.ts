/**
 * Carries out one `gdpr_erasure` record (spec §7.12), as a processor batch of its own so that it
 * sits in log order between the records before and after it and commits all at once: every user
 * the request's identities match — with the users merged with them (merges not undone: one
 * person) — is removed with its devices, events, identity links and scheduled deletion; the merge
 * log rows that involve them go (their before-images hold the users' data); log records and
 * outcomes that hold their data are redacted, the erasure's own record included, and so are their
 * outbox messages (by user id or recipient: channel, status and times kept, a pending delivery
 * suppressed); every identity they carried goes on the workspace's suppression list; and the
 * request's counts are kept for GET /inlet/v1/gdpr/{request_id}.
 */
import type { GdprErasurePayload, GdprIdentity } from '../core/records.js'
import { identitiesOfUser, suppressionHash, userMatchOf } from '../privacy/gdpr.js'
import type {
  BatchChanges,
  DeviceRow,
  LogRecord,
  MergeRow,
  Store,
  SuppressionRow,
  UserRow,
} from '../store/store.js'

/** The part of a merge-log image (steps/apply-merge.ts) an erasure reads. */
type MergeImage = {
  before?: { retained?: UserRow; merged?: UserRow; devices?: DeviceRow[] }
}

/** How far the merge closure follows merges (each round one hop). */
const MAX_MERGE_HOPS = 100

export type ErasureCounts = Readonly<{
  users: number
  devices: number
  events: number
  merges: number
  log_records: number
  record_outcomes: number
  suppressed_identities: number
  /** Outbox messages of the user or to one of its identities, redacted. */
  outbox_messages: number
  /** The users' cards (store/card-repo.ts), removed with them. */
  cards: number
}>

export type Erasure = Readonly<{
  changes: Omit<BatchChanges, 'fromSeq' | 'toSeq'>
  counts: ErasureCounts
}>

/** What a redacted log record's payload becomes. */
export function redactedPayload(requestId: string): string {
  return JSON.stringify({ erased_by_gdpr_request: requestId })
}

/** Reads what `record` erases and returns the batch that erases it (nothing is written here). */
export async function planErasure(store: Store, record: LogRecord, now: number): Promise<Erasure> {
  const ws = record.workspaceId
  const payload = JSON.parse(record.payload) as GdprErasurePayload // written by routes/gdpr.ts
  const identities: readonly GdprIdentity[] = payload.identities
  const users = new Map<string, UserRow>()
  for (const u of await store.profiles.matchUsers(ws, userMatchOf(identities))) users.set(u.id, u)
  const merges = new Map<number, MergeRow>()
  let frontier = [...users.keys()]
  for (let hop = 0; frontier.length > 0 && hop < MAX_MERGE_HOPS; hop++) {
    const next = new Set<string>()
    for (const m of await store.profiles.mergesOfUsers(ws, frontier)) {
      merges.set(m.id, m)
      if (m.undoneAt !== null) continue // undone: two people again; only the row goes
      for (const id of [m.retainedUserId, m.mergedUserId]) if (!users.has(id)) next.add(id)
    }
    const found =
      next.size === 0 ? [] : await store.profiles.findUsers(ws, { customerIds: [], ids: [...next] })
    for (const u of found) users.set(u.id, u)
    frontier = found.map((u) => u.id)
  }
  const devices: DeviceRow[] = []
  const suppressed = new Map<string, SuppressionRow>()
  const suppress = (i: GdprIdentity): void => {
    const hash = suppressionHash(ws, i.identity_type, i.identity_value)
    if (suppressed.has(hash)) return
    suppressed.set(hash, {
      workspaceId: ws,
      hash,
      identityType: i.identity_type,
      requestId: record.requestId,
      createdAt: now,
    })
  }
  for (const i of identities) suppress(i)
  const values = new Set<string>(identities.map((i) => i.identity_value))
  const customerIds = new Set<string>(
    identities.filter((i) => i.identity_type === 'ID').map((i) => i.identity_value),
  )
  for (const user of users.values()) {
    const own = await store.profiles.devicesOfUser(ws, user.id)
    devices.push(...own)
    for (const i of identitiesOfUser(user, own)) {
      // The internal id names no data sent later; it is only looked for in the log.
      if (i.identity_type !== 'user_secondary_id') suppress(i)
      values.add(i.identity_value)
    }
    if (user.customerId !== null) customerIds.add(user.customerId)
    for (const d of own) {
      values.add(d.deviceId)
      for (const key of ['push_id', 'idfv'] as const) {
        const v = d.attributes[key]
        if (typeof v === 'string' && v !== '') values.add(v)
      }
    }
  }
  // A merge's before-image holds both users as they were: a merged-away user's customer id and
  // attributes live on only there (and in the log records that named them).
  for (const m of merges.values()) {
    const image = JSON.parse(m.before) as MergeImage // written by steps/apply-merge.ts
    const was = [image.before?.retained, image.before?.merged]
    for (const user of was) {
      // An undone merge's other user is another person: only the erased side counts.
      if (user === undefined || !users.has(user.id)) continue
      if (user.customerId !== null) customerIds.add(user.customerId)
      for (const i of identitiesOfUser(user, image.before?.devices ?? [])) {
        if (i.identity_type !== 'user_secondary_id') suppress(i)
        values.add(i.identity_value)
      }
    }
  }
  const userIds = [...users.keys()]
  const held = await store.processing.recordsHolding(ws, {
    beforeSeq: record.seq,
    userIds,
    customerIds: [...customerIds],
    // Log payloads are JSON: a value appears there as a JSON string, quotes included.
    logTokens: [...values].map((v) => JSON.stringify(v)),
    // Outcome reasons quote values as 'value'; internal ids are long enough to match bare.
    outcomeTokens: [...userIds, ...[...values].map((v) => `'${v}'`)],
    recipients: [...values],
  })
  const redacted = redactedPayload(record.requestId)
  const logSeqs = [...held.logSeqs, record.seq]
  const outcomeSeqs = [...new Set([...held.logSeqs, ...held.outcomeSeqs])]
  const counts: ErasureCounts = {
    users: users.size,
    devices: devices.length,
    events: held.events,
    merges: merges.size,
    log_records: logSeqs.length,
    record_outcomes: held.outcomeSeqs.length,
    suppressed_identities: suppressed.size,
    outbox_messages: held.outboxMessages,
    cards: held.cards,
  }
  const note = `erased ${counts.users} users, ${counts.devices} devices, ${counts.events} events, ${counts.merges} merges; ${counts.log_records} log records and ${counts.outbox_messages} outbox messages redacted; ${counts.cards} cards removed; ${counts.suppressed_identities} identities suppressed (spec §7.12)`
  return {
    counts,
    changes: {
      users: [],
      devices: [],
      deletedDevices: [],
      events: [],
      deletedUsers: userIds.map((userId) => ({ workspaceId: ws, userId })),
      deletedMerges: [...merges.keys()].map((id) => ({ workspaceId: ws, id })),
      redactedLog: logSeqs.map((seq) => ({ seq, payload: redacted })),
      redactedOutcomes: outcomeSeqs.map((seq) => ({
        seq,
        reason: `erased by GDPR request ${record.requestId} (spec §7.12)`,
      })),
      redactedOutbox: [
        {
          workspaceId: ws,
          customerIds: [...customerIds],
          recipients: [...values],
          payload: { erased_by_gdpr_request: record.requestId },
          reason: `erased by GDPR request ${record.requestId} before delivery (spec §7.12)`,
          at: now,
        },
      ],
      suppressions: [...suppressed.values()],
      gdprRequests: [
        {
          workspaceId: ws,
          requestId: record.requestId,
          seq: record.seq,
          receivedAt: record.receivedAt,
          doneAt: now,
          counts: JSON.stringify(counts),
        },
      ],
      outcomes: [
        {
          seq: record.seq,
          workspaceId: ws,
          requestId: record.requestId,
          index: record.index,
          kind: record.kind,
          outcome: 'applied',
          reason: JSON.stringify([note]),
          at: now,
        },
      ],
    },
  }
}
