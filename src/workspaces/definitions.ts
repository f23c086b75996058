/**
 * What every kind of per-workspace definition of the admin API shares (live-activity campaigns,
 * file imports): the workspace must exist (WorkspaceNotFoundError otherwise), and list, read and
 * remove go to the definition's rows, answered as its view. Each kind adds its own `put`.
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import type { Store } from '../store/store.js'
import { WorkspaceNotFoundError } from './workspaces.js'

/** The rows of one kind of definition, as its store repository reads and removes them. */
export type DefinitionRows<Row> = Readonly<{
  all(workspaceId: string): Promise<Row[]>
  one(workspaceId: string, id: string): Promise<Row | undefined>
  remove(workspaceId: string, id: string): Promise<boolean>
}>

/** What a kind of definition's operations are built on. */
export type DefinitionDeps = Readonly<{ store: Store; clock: Clock; ids: IdGenerator }>

/** A kind of definition's operations: list, get, remove (by id) and `put` (create or replace). */
export type DefinitionOperations<View, Input> = Omit<DefinitionReads<View>, 'existing'> &
  Readonly<{
    /** Creates the definition (its id generated unless given) or replaces the one its id names. */
    put(workspaceId: string, input: Input): Promise<View>
  }>

export type DefinitionReads<View> = Readonly<{
  /** Throws WorkspaceNotFoundError unless the workspace exists. */
  existing(workspaceId: string): Promise<void>
  list(workspaceId: string): Promise<View[]>
  get(workspaceId: string, id: string): Promise<View | undefined>
  remove(workspaceId: string, id: string): Promise<boolean>
}>

export function definitionReads<Row, View>(
  store: Store,
  rows: DefinitionRows<Row>,
  view: (row: Row) => View,
): DefinitionReads<View> {
  const existing = async (workspaceId: string): Promise<void> => {
    if ((await store.workspaces.get(workspaceId)) === undefined) {
      throw new WorkspaceNotFoundError(workspaceId)
    }
  }
  return {
    existing,
    list: async (workspaceId) => {
      await existing(workspaceId)
      return (await rows.all(workspaceId)).map(view)
    },
    get: async (workspaceId, id) => {
      await existing(workspaceId)
      const row = await rows.one(workspaceId, id)
      return row === undefined ? undefined : view(row)
    },
    remove: async (workspaceId, id) => {
      await existing(workspaceId)
      return rows.remove(workspaceId, id)
    },
  }
}
