/**
 * The custom-segment repository of the Store (re-exported by store.ts): the segments a workspace
 * defines (`POST /v3/custom-segments`, families/segments), one row each — its name, its
 * `included_filters` as the client sent them, the hash of its definition's identity, its
 * description — and the rules that must hold whatever requests run together: a name and a
 * definition are each used once per workspace, and a workspace holds at most so many active
 * (not archived) segments. Create and update check those rules and write in one transaction.
 * The store reads no filter: what a definition means, and its identity, are segments/'s.
 */

/** A stored segment. */
export type CustomSegmentRow = Readonly<{
  workspaceId: string
  id: string
  /** Unique in the workspace (compared exactly). */
  name: string
  /** MoEngage's segment type: `ELASTIC_SEARCH` for filter segments. */
  type: string
  /** Where it was made: `API`. */
  source: string
  /** The `included_filters` as sent, JSON text. */
  includedFilters: string
  /** The hash of the definition's identity (segments/definition.ts definitionKey): unique too. */
  definitionHash: string
  /** The server-generated description. */
  description: string
  createdAt: number
  updatedAt: number
  /** The `updated_by` of the last update, if it gave one. */
  updatedBy: string | null
  /** When it was archived; null while active. */
  archivedAt: number | null
}>

/** What makes a create or an update impossible: the segment that holds the name or definition. */
export type CustomSegmentConflict =
  | Readonly<{ kind: 'name_taken'; existing: CustomSegmentRow }>
  | Readonly<{ kind: 'definition_taken'; existing: CustomSegmentRow }>

export type CustomSegmentCreated =
  | Readonly<{ kind: 'created'; row: CustomSegmentRow }>
  | CustomSegmentConflict
  /** The workspace already holds `active` active segments, `maxActive` or more. */
  | Readonly<{ kind: 'limit'; active: number }>

/** An update's new state: the definition always, the name when given. */
export type CustomSegmentChange = Readonly<{
  name?: string
  includedFilters: string
  definitionHash: string
  description: string
  updatedAt: number
  updatedBy: string | null
}>

export type CustomSegmentUpdated =
  | Readonly<{ kind: 'updated'; row: CustomSegmentRow }>
  | Readonly<{ kind: 'not_found' }>
  | CustomSegmentConflict

export type CustomSegmentArchived =
  | Readonly<{ kind: 'updated'; row: CustomSegmentRow }>
  | Readonly<{ kind: 'not_found' }>
  /** Unarchiving would take the workspace past `maxActive` active segments (it holds `active`). */
  | Readonly<{ kind: 'limit'; active: number }>

export interface CustomSegmentRepo {
  /** The workspace's segments, oldest first (then by id); only those named `name` when given. */
  list(workspaceId: string, filter?: Readonly<{ name?: string }>): Promise<CustomSegmentRow[]>
  /** One segment of the workspace. */
  get(workspaceId: string, id: string): Promise<CustomSegmentRow | undefined>
  /**
   * Inserts `row` unless its name or definition hash is another segment's of the workspace (that
   * segment is answered) or the workspace already has `maxActive` active segments; the checks and
   * the insert are one transaction, so concurrent creates never break a rule. Conflicts are
   * checked in that order: name, definition, then the count.
   */
  create(row: CustomSegmentRow, maxActive: number): Promise<CustomSegmentCreated>
  /**
   * Changes segment `id` unless the new name or definition hash is another segment's; the row as
   * written is answered. The checks and the write are one transaction.
   */
  update(
    workspaceId: string,
    id: string,
    change: CustomSegmentChange,
  ): Promise<CustomSegmentUpdated>
  /**
   * Archives segment `id` at `archivedAt` (an archived one keeps its time), or unarchives it
   * (null) unless the workspace already has `maxActive` active segments; one transaction.
   */
  setArchived(
    workspaceId: string,
    id: string,
    archivedAt: number | null,
    maxActive: number,
  ): Promise<CustomSegmentArchived>
}
