/**
 * The Identity Resolution reindex (spec §6.2): every profile of a workspace gets the identity
 * links of its current attributes, page by page, and the record's outcome; the processor commits
 * the record as a batch of its own.
 */
import type { BatchChanges, IdentityValue, LogRecord, Store } from '../store/store.js'
import { readSettings } from '../workspaces/settings.js'
import { outcomeRow } from './outcome.js'
import { identityLinksOf } from './steps/apply-merge.js'

/** A commit's lists, all empty. */
const NO_CHANGES = {
  users: [],
  devices: [],
  deletedDevices: [],
  events: [],
  identityLinks: [],
  outcomes: [],
} as const satisfies Omit<BatchChanges, 'fromSeq' | 'toSeq'>

/**
 * spec §6.2: Identity Resolution was switched on (or its identifiers changed): every profile of
 * the workspace gets the identity links of its current attributes, so that profiles written
 * before are found by their identifier values too. Committed alone, in log order.
 */
export async function reindexProfiles(
  store: Store,
  record: LogRecord,
  cursor: number,
  pageSize: number,
  now: number,
): Promise<void> {
  const workspace = await store.workspaces.get(record.workspaceId)
  const settings = readSettings(workspace?.settings ?? {})
  let identityLinks: { workspaceId: string; userId: string; links: IdentityValue[] }[] = []
  let note = 'Identity Resolution is off; nothing was indexed (spec §6.2)'
  if (settings.identityResolution) {
    // Page by page, each page committed on its own without moving the cursor, so that the
    // processor holds one page of profiles however large the workspace. A crash part-way
    // leaves the record at the head of the log: it is indexed again from the first page
    // (each user's links are replaced, so a page written twice is written the same).
    let after = ''
    let indexed = 0
    for (;;) {
      const page = await store.profiles.usersPage(record.workspaceId, after, pageSize)
      identityLinks = page.map((user) => ({
        workspaceId: user.workspaceId,
        userId: user.id,
        links: identityLinksOf(settings.identifiers, user),
      }))
      indexed += page.length
      const last = page[page.length - 1]
      if (last === undefined || page.length < pageSize) break
      await store.processing.commit({
        ...NO_CHANGES,
        fromSeq: cursor,
        toSeq: cursor,
        identityLinks,
      })
      after = last.id
    }
    note = `indexed the identifier values of ${indexed} profiles (spec §6.2)`
  }
  await store.processing.commit({
    ...NO_CHANGES,
    fromSeq: cursor,
    toSeq: record.seq,
    identityLinks,
    outcomes: [outcomeRow(record, 'applied', JSON.stringify([note]), now)],
  })
}
