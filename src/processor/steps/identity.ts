/**
 * User Identity Resolution (spec §6.2): finds the profile a record belongs to by its ID and its
 * identifier values, merging the profiles that share them into one — the retained profile is the
 * one with a value for the workspace's `retainByAttribute` (rule 1), else the one seen last
 * (rule 2: Last Seen, then the latest update, then the newest) — at most 50 profiles per record. Profiles with
 * different IDs never merge. Merges go to the merge log like Merge Users ones (and can be undone).
 */
import { defineOwn, isDateValue } from '../../profile/attribute-values.js'
import type { LogRecord, UserRow } from '../../store/store.js'
import { MERGES_PER_RECORD, mergeUsers } from './apply-merge.js'
import type { StepContext } from './step.js'

/** spec §6.2: "only the first 50 users sharing one identifier value merge". */
export const MAX_MERGED_PROFILES = 50

export type Resolution = Readonly<{ user: UserRow | undefined; notes: string[] }>

/**
 * The existing profile for (`customerId`, `identities`), after merging every other match into it;
 * undefined when nothing matches. Without identities this is the lookup by customer id.
 */
export function resolveUser(
  ctx: StepContext,
  record: LogRecord,
  customerId: string | null,
  identities: Readonly<Record<string, string>> | undefined,
): Resolution {
  const ws = record.workspaceId
  const byId = customerId === null ? undefined : ctx.state.userByCustomerId(ws, customerId)
  if (identities === undefined) return { user: byId, notes: [] }
  const notes: string[] = []
  const found = new Set<UserRow>()
  if (byId !== undefined) found.add(byId)
  for (const [name, value] of Object.entries(identities)) {
    for (const user of ctx.state.usersByIdentity(ws, name, value)) {
      if (customerId !== null && user.customerId !== null && user.customerId !== customerId) {
        notes.push(
          `${name} '${value}' also belongs to the user with customer_id '${user.customerId}'; profiles with different IDs are not merged (spec §6.2)`,
        )
        continue
      }
      found.add(user)
    }
  }
  const candidates = [...found].sort(retentionOrder(ctx, ws))
  const retained = candidates[0]
  if (retained === undefined) return { user: undefined, notes }
  let k = 0
  for (const other of candidates.slice(1)) {
    if (other.customerId !== null && retained.customerId !== null) {
      notes.push(
        `the user with customer_id '${other.customerId}' shares an identifier but has another ID; not merged (spec §6.2)`,
      )
      continue
    }
    if (k + 1 >= MAX_MERGED_PROFILES) {
      notes.push(
        `more than ${MAX_MERGED_PROFILES} profiles match; user ${other.id} was not merged (spec §6.2)`,
      )
      continue
    }
    k++
    const id = record.seq * MERGES_PER_RECORD + k
    const keptId = retained.customerId ?? other.customerId
    mergeUsers(ctx, record, { id, retained, merged: other, systemEvents: false })
    if (retained.customerId === null && keptId !== null) {
      retained.customerId = keptId // the merged profile's ID moves to the retained one
      ctx.state.putUser(retained)
    }
    notes.push(
      `merged user ${other.id} into ${retained.id} by identity resolution (merge ${id}; spec §6.2)`,
    )
  }
  return { user: retained, notes }
}

/** Rule 1 (`retainByAttribute` has a value), rule 2 (latest Last Seen, then latest update). */
function retentionOrder(ctx: StepContext, ws: string): (a: UserRow, b: UserRow) => number {
  const attribute = ctx.settings(ws).retainByAttribute
  const has = (u: UserRow): number =>
    attribute !== undefined && u.attributes[attribute] !== undefined ? 1 : 0
  const lastSeen = (u: UserRow): number => {
    const v = u.attributes['u_l_a']
    return isDateValue(v) ? Date.parse(v.$date) : 0
  }
  return (a, b) =>
    has(b) - has(a) ||
    lastSeen(b) - lastSeen(a) ||
    b.updatedAt - a.updatedAt ||
    b.createdAt - a.createdAt ||
    (a.id < b.id ? -1 : 1)
}

/** A new profile named only by identifiers carries them as attributes, so it can be found again. */
export function withIdentities(
  user: UserRow,
  identities: Readonly<Record<string, string>> | undefined,
): void {
  for (const [name, value] of Object.entries(identities ?? {})) {
    if (!Object.hasOwn(user.attributes, name)) {
      defineOwn(user.attributes, name, value)
    }
  }
}
