/**
 * The snapshot rules, written once for both adapters: which rows a batch of log records needs in
 * memory (BatchSnapshot), derived from the records alone as a plain description (SnapshotNeeds).
 * Each adapter only runs the queries for a description (sqlite/snapshot.ts, postgres/snapshot.ts);
 * a new record kind that needs rows is taught here, and nowhere else. It reads the few payload
 * fields that name rows (`merged_user`, `merge_id`, `user_id`, `device_id`, `identities`) and owns
 * no SQL.
 */
import { payloadOf } from './payloads.js'
import type { LogRecord, RecordKind } from './store.js'

// CustomerNeed and SnapshotNeeds are alike in shape to other record types (processor.ts's
// ProcessorStats, Lag; dashboard/sessions.ts's Session): plain declarations of different things,
// sharing no logic.

/** A user named by customer id, with what else of it the batch needs. */
export type CustomerNeed = Readonly<{
  workspaceId: string
  customerId: string
  /** All of the user's devices (a record may move, replace or remove one). */
  devices: boolean
  /** How many events the user has (a record may merge it away): the count, never the events. */
  events: boolean
}>

/**
 * What a batch needs loaded, key by key; every list holds each key once, first named first, but
 * `mergeIds`. What each kind of key brings with it:
 */
export type SnapshotNeeds = Readonly<{
  /** Users by customer id, each with its devices and its event count where asked for. */
  customers: readonly CustomerNeed[]
  /** Users by internal id, the users only. */
  userIds: readonly Readonly<{ workspaceId: string; userId: string }>[]
  /** Devices by id. */
  deviceIds: readonly Readonly<{ workspaceId: string; deviceId: string }>[]
  /**
   * Merges by id, one per naming record in record order (a merge named twice is listed, and
   * loaded into BatchSnapshot.merges, twice): each merge with both its users, by internal id, and
   * all their devices.
   */
  mergeIds: readonly Readonly<{ workspaceId: string; mergeId: number }>[]
  /**
   * Identity values: every user holding one, with all its devices and its event count (a user
   * found by identifiers may be merged into another).
   */
  identities: readonly Readonly<{ workspaceId: string; name: string; value: string }>[]
  /** BatchSnapshot.identityLinks wanted: the identity links of every user loaded. */
  identityLinks: boolean
}>

/** Record kinds whose user's devices are all needed (the record may move or remove one). */
const NEEDS_DEVICES: ReadonlySet<RecordKind> = new Set<RecordKind>([
  'device',
  'merge',
  'device_opt_out',
])

/** What the records of a batch need loaded, for any adapter to run. */
export function snapshotNeeds(records: readonly LogRecord[]): SnapshotNeeds {
  const customers = new Map<string, { -readonly [K in keyof CustomerNeed]: CustomerNeed[K] }>()
  const needCustomer = (
    workspaceId: string,
    customerId: string,
    devices: boolean,
    events: boolean,
  ): void => {
    const key = `${workspaceId}\u0000${customerId}`
    const need = customers.get(key)
    if (need === undefined) {
      customers.set(key, { workspaceId, customerId, devices, events })
    } else {
      need.devices ||= devices
      need.events ||= events
    }
  }
  const userIds = new Keyed<{ workspaceId: string; userId: string }>()
  const deviceIds = new Keyed<{ workspaceId: string; deviceId: string }>()
  const identities = new Keyed<{ workspaceId: string; name: string; value: string }>()
  const mergeIds: { workspaceId: string; mergeId: number }[] = []
  for (const r of records) {
    const ws = r.workspaceId
    const ids = identitiesOf(r)
    for (const [name, value] of ids) {
      identities.add(`${ws}\u0000${name}\u0000${value}`, { workspaceId: ws, name, value })
    }
    // A user named by ID and identifiers may be merged into one found by the identifiers.
    if (r.customerId !== null) {
      needCustomer(ws, r.customerId, ids.length > 0 || NEEDS_DEVICES.has(r.kind), ids.length > 0)
    }
    switch (r.kind) {
      case 'merge': {
        // The merged user's devices and events go to the retained one.
        const merged = stringField(r, 'merged_user')
        if (merged !== undefined) needCustomer(ws, merged, true, true)
        break
      }
      case 'delete':
      case 'install': {
        const userId = stringField(r, 'user_id')
        if (userId !== undefined) userIds.add(`${ws}\u0000${userId}`, { workspaceId: ws, userId })
        break
      }
      case 'merge_undo': {
        const mergeId = numberField(r, 'merge_id')
        if (mergeId !== undefined) mergeIds.push({ workspaceId: ws, mergeId })
        break
      }
      case 'device': {
        const deviceId = stringField(r, 'device_id')
        if (deviceId !== undefined) {
          deviceIds.add(`${ws}\u0000${deviceId}`, { workspaceId: ws, deviceId })
        }
        break
      }
      default:
        break
    }
  }
  return {
    customers: [...customers.values()],
    userIds: userIds.list,
    deviceIds: deviceIds.list,
    mergeIds,
    identities: identities.list,
    identityLinks: identities.list.length > 0,
  }
}

/** Distinct values by key, in the order first added. */
class Keyed<T> {
  readonly #seen = new Set<string>()
  readonly list: T[] = []
  add(key: string, value: T): void {
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    this.list.push(value)
  }
}

/** The `identities` of a logged payload (Identity Resolution), as [name, value] pairs. */
function identitiesOf(record: LogRecord): [string, string][] {
  let ids: unknown
  try {
    ids = fieldOf(record, 'identities')
  } catch {
    return [] // a damaged payload: its step fails the record (retried, then dead)
  }
  if (typeof ids !== 'object' || ids === null) return []
  return Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === 'string')
}

function stringField(record: LogRecord, field: string): string | undefined {
  const value = fieldOf(record, field)
  return typeof value === 'string' ? value : undefined
}

function numberField(record: LogRecord, field: string): number | undefined {
  const value = fieldOf(record, field)
  return typeof value === 'number' ? value : undefined
}

/**
 * A field of a record's JSON payload, read without trusting its shape. The payload is parsed once
 * for the snapshot and the step that applies the record (payloads.ts).
 */
function fieldOf(record: LogRecord, field: string): unknown {
  const parsed = payloadOf(record)
  if (typeof parsed !== 'object' || parsed === null) return undefined
  return (parsed as Record<string, unknown>)[field] // narrowed to object above
}
