/**
 * spec §7.12 (Inlet): refusing the records that name an identity on their workspace's suppression
 * list: which records of a batch are refused and why, and what the log keeps of each instead.
 */
import { identitiesOfRecord, suppressionHash } from '../privacy/gdpr.js'
import type { LogRecord, Store } from '../store/store.js'

/** What the log keeps of a record refused because it names a suppressed identity. */
export const SUPPRESSED_PAYLOAD = JSON.stringify({ refused: 'names an identity erased by GDPR' })

/** spec §7.12 (Inlet): why a record naming a suppressed identity is refused. */
export function suppressedReason(identityType: string): string {
  return `refused: it names an identity (${identityType}) erased by a GDPR request, which the workspace's suppression list refuses until an operator lifts it (spec §7.12; docs/compatibility.md)`
}

/**
 * spec §7.12 (Inlet): the records of a batch that name an identity on their workspace's
 * suppression list, with the reason each is refused.
 */
export async function refusals(
  store: Store,
  records: readonly LogRecord[],
): Promise<Map<number, string>> {
  // Most workspaces have no suppressions: one query each, and no record parsed or hashed.
  const listed = new Map<string, boolean>()
  for (const ws of new Set(records.map((r) => r.workspaceId))) {
    listed.set(ws, await store.profiles.hasSuppressions(ws))
  }
  const named = new Map<string, { seq: number; hashes: [string, string][] }[]>()
  for (const r of records) {
    if (listed.get(r.workspaceId) !== true) continue
    const found = identitiesOfRecord(r)
    if (found.length === 0) continue
    const hashes: [string, string][] = found.map((i) => [
      suppressionHash(r.workspaceId, i.identity_type, i.identity_value),
      i.identity_type,
    ])
    const list = named.get(r.workspaceId) ?? []
    list.push({ seq: r.seq, hashes })
    named.set(r.workspaceId, list)
  }
  const refused = new Map<number, string>()
  for (const [ws, list] of named) {
    const present = new Set(
      await store.profiles.suppressed(
        ws,
        list.flatMap((l) => l.hashes.map((h) => h[0])),
      ),
    )
    if (present.size === 0) continue
    for (const { seq, hashes } of list) {
      const hit = hashes.find((h) => present.has(h[0]))
      if (hit !== undefined) refused.set(seq, suppressedReason(hit[1]))
    }
  }
  return refused
}
