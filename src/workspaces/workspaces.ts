/**
 * Workspace lifecycle: creating a workspace with its Data API key (shown once), listing, updating
 * (name, state, quota limits, settings), rotating and removing keys, and the start-up bootstrap
 * (a first workspace, or the exact credentials an existing MoEngage integration already uses).
 * The CLI and the admin API both go through here. The gateway reads workspaces through the
 * store; nothing here is on the hot path.
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import {
  StoreConflictError,
  type Store,
  type Workspace,
  type WorkspacePatch,
  type WorkspaceState,
} from '../store/store.js'
import { WorkspaceInputError, applySettingsChanges, type WorkspaceChanges } from './changes.js'
import { hashKey } from './keys.js'
import { readSettings } from './settings.js'

export const WORKSPACE_ID_PATTERN = /^[A-Z0-9]{4,64}$/
export const API_KEY_PATTERN = /^\S{8,256}$/

export type CreateWorkspaceInput = Readonly<{
  id?: string
  key?: string
  name?: string
  state?: WorkspaceState
  /** Limits and settings to start with (changes.ts), applied over empty settings. */
  changes?: WorkspaceChanges
}>

export type RotateKeyInput = Readonly<{
  /** The new key; generated when omitted. */
  key?: string
  /** How long the replaced key keeps working (0, the default: not at all). */
  graceSeconds?: number
}>

/**
 * Where a key just set came from: `generated`, Inlet made it, so it may be shown once; otherwise
 * the caller gave it, and the CLI, the admin API and the dashboard never echo it back.
 */
export type KeyOrigin = Readonly<{ generated: boolean }>

/** A workspace with its (new) Data API key. */
export type CreatedWorkspace = KeyOrigin & Readonly<{ workspace: Workspace; dataApiKey: string }>

/**
 * A workspace the start-up bootstrap created. `generatedKey` is its Data API key only when Inlet
 * generated it, to be shown once; a key given in the environment (INLET_DATA_API_KEY) is never
 * handed back, so it cannot reach the output.
 */
export type BootstrappedWorkspace = Readonly<{
  workspace: Workspace
  generatedKey: string | undefined
}>

export { WorkspaceInputError }

/** No workspace has this id (update, rotation, removal). */
export class WorkspaceNotFoundError extends Error {
  override readonly name: string = 'WorkspaceNotFoundError'
  readonly workspaceId: string
  constructor(workspaceId: string) {
    super(`no workspace with id ${workspaceId}`)
    this.workspaceId = workspaceId
  }
}

/** Longest grace period of a key rotation: 30 days. */
export const MAX_GRACE_SECONDS = 30 * 86_400

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
    const changes = input.changes ?? {}
    const workspace: Workspace = {
      id,
      name: changes.name ?? input.name ?? id,
      keyHash: hash,
      keySalt: salt,
      state: changes.state ?? input.state ?? 'active',
      settings: applySettingsChanges({}, changes),
      createdAt: now,
      updatedAt: now,
    }
    await store.workspaces.create(workspace)
    return { workspace, dataApiKey: key, generated: input.key === undefined }
  }

  async function existing(id: string): Promise<Workspace> {
    const workspace = await store.workspaces.get(id)
    if (workspace === undefined) throw new WorkspaceNotFoundError(id)
    return workspace
  }

  /** Name, state, quota limits and settings; the fields not in `changes` stay as they are. */
  async function update(id: string, changes: WorkspaceChanges): Promise<Workspace> {
    const workspace = await existing(id)
    const patch: WorkspacePatch = {
      updatedAt: clock.now(),
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.state === undefined ? {} : { state: changes.state }),
      ...(changes.limits === undefined && changes.settings === undefined
        ? {}
        : { settings: applySettingsChanges(workspace.settings, changes) }),
    }
    const updated = await store.workspaces.update(id, patch)
    if (updated === undefined) throw new WorkspaceNotFoundError(id)
    const was = readSettings(workspace.settings)
    const now = readSettings(updated.settings)
    if (
      now.identityResolution &&
      (!was.identityResolution || now.identifiers.join('\u0000') !== was.identifiers.join('\u0000'))
    ) {
      // spec §6.2: profiles written before are indexed by the processor, in log order.
      await store.log.append([
        {
          workspaceId: id,
          requestId: ids.requestId(),
          index: 0,
          kind: 'identity_reindex',
          customerId: null,
          receivedAt: patch.updatedAt,
          payload: '{}',
          api: 'settings',
        },
      ])
    }
    return updated
  }

  /**
   * A new Data API key, stored at once; servers use it once they read the workspace again (at
   * once through this process's admin API, within about a second elsewhere: http/gateway.ts). The
   * replaced key then answers 401 `key_mismatch`, or keeps working for `graceSeconds` when given
   * (a workspace without a key just gets one).
   */
  async function rotateKey(id: string, input: RotateKeyInput = {}): Promise<CreatedWorkspace> {
    const key = input.key ?? ids.apiKey()
    if (!API_KEY_PATTERN.test(key)) {
      throw new WorkspaceInputError(
        'data API key must be 8 to 256 characters without spaces',
        'data_api_key',
      )
    }
    const grace = input.graceSeconds ?? 0
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
      throw new WorkspaceInputError(
        `grace period must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}`,
        'grace_seconds',
      )
    }
    const workspace = await existing(id)
    const now = clock.now()
    const { hash, salt } = hashKey(key)
    const previousKey =
      grace > 0 && workspace.keyHash !== null && workspace.keySalt !== null
        ? { hash: workspace.keyHash, salt: workspace.keySalt, expiresAt: now + grace * 1000 }
        : null
    const updated = await store.workspaces.update(id, {
      keyHash: hash,
      keySalt: salt,
      previousKey,
      updatedAt: now,
    })
    if (updated === undefined) throw new WorkspaceNotFoundError(id)
    return { workspace: updated, dataApiKey: key, generated: input.key === undefined }
  }

  /** spec §4.4: a workspace without a Data API key answers 409 `key_not_set` until one is set. */
  async function removeKey(id: string): Promise<Workspace> {
    await existing(id)
    const updated = await store.workspaces.update(id, {
      keyHash: null,
      keySalt: null,
      previousKey: null,
      updatedAt: clock.now(),
    })
    if (updated === undefined) throw new WorkspaceNotFoundError(id)
    return updated
  }

  /**
   * At start: with explicit credentials, make sure that workspace exists (created with that key
   * if not; an existing one is left as it is). With none, create a first workspace when there is
   * none. Returns the workspace when one was created, with its key only when it was generated.
   */
  async function bootstrap(input: {
    workspaceId?: string
    dataApiKey?: string
    name: string
  }): Promise<BootstrappedWorkspace | undefined> {
    if (input.workspaceId !== undefined && input.dataApiKey !== undefined) {
      if ((await store.workspaces.get(input.workspaceId)) !== undefined) return undefined
      try {
        const { workspace } = await create({
          id: input.workspaceId,
          key: input.dataApiKey,
          name: input.name,
        })
        return { workspace, generatedKey: undefined }
      } catch (err) {
        if (err instanceof StoreConflictError) return undefined // created by a sibling process
        throw err
      }
    }
    if ((await store.workspaces.list()).length > 0) return undefined
    const { workspace, dataApiKey } = await create({ name: input.name })
    return { workspace, generatedKey: dataApiKey }
  }

  return {
    create,
    bootstrap,
    update,
    rotateKey,
    removeKey,
    get: existing,
    list: () => store.workspaces.list(),
  }
}

export type Workspaces = ReturnType<typeof createWorkspaces>
