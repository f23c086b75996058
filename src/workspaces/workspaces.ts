/**
 * Workspace lifecycle: creating a workspace with its Data API key (shown once), listing, and the
 * start-up bootstrap (a first workspace, or the exact credentials an existing MoEngage integration
 * already uses). The gateway reads workspaces through the store; nothing here is on the hot path.
 */
import type { Clock } from '../clock.js'
import type { IdGenerator } from '../ids.js'
import {
  StoreConflictError,
  type Store,
  type Workspace,
  type WorkspaceState,
} from '../store/store.js'
import { hashKey } from './keys.js'

export const WORKSPACE_ID_PATTERN = /^[A-Z0-9]{4,64}$/
export const API_KEY_PATTERN = /^\S{8,256}$/

export type CreateWorkspaceInput = Readonly<{
  id?: string
  key?: string
  name?: string
  state?: WorkspaceState
}>

export type CreatedWorkspace = Readonly<{ workspace: Workspace; dataApiKey: string }>

export class WorkspaceInputError extends Error {
  override readonly name: string = 'WorkspaceInputError'
}

export function createWorkspaces(deps: { store: Store; clock: Clock; ids: IdGenerator }) {
  const { store, clock, ids } = deps

  async function create(input: CreateWorkspaceInput): Promise<CreatedWorkspace> {
    const id = input.id ?? ids.workspaceId()
    if (!WORKSPACE_ID_PATTERN.test(id)) {
      throw new WorkspaceInputError(
        `workspace id must be 4 to 64 upper-case letters or digits: ${id}`,
      )
    }
    const key = input.key ?? ids.apiKey()
    if (!API_KEY_PATTERN.test(key)) {
      throw new WorkspaceInputError('data API key must be 8 to 256 characters without spaces')
    }
    const { hash, salt } = hashKey(key)
    const now = clock.now()
    const workspace: Workspace = {
      id,
      name: input.name ?? id,
      keyHash: hash,
      keySalt: salt,
      state: input.state ?? 'active',
      settings: {},
      createdAt: now,
      updatedAt: now,
    }
    await store.workspaces.create(workspace)
    return { workspace, dataApiKey: key }
  }

  /**
   * At start: with explicit credentials, make sure that workspace exists (created with that key
   * if not; an existing one is left as it is). With none, create a first workspace when there is
   * none. Returns the credentials to print when something was created.
   */
  async function bootstrap(input: {
    workspaceId?: string
    dataApiKey?: string
    name: string
  }): Promise<CreatedWorkspace | undefined> {
    if (input.workspaceId !== undefined && input.dataApiKey !== undefined) {
      if ((await store.workspaces.get(input.workspaceId)) !== undefined) return undefined
      try {
        return await create({ id: input.workspaceId, key: input.dataApiKey, name: input.name })
      } catch (err) {
        if (err instanceof StoreConflictError) return undefined // created by a sibling process
        throw err
      }
    }
    if ((await store.workspaces.list()).length > 0) return undefined
    return create({ name: input.name })
  }

  return { create, bootstrap, list: () => store.workspaces.list() }
}

export type Workspaces = ReturnType<typeof createWorkspaces>
