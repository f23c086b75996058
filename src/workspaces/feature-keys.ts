/**
 * Feature-scoped API keys. MoEngage gives a workspace one key per feature tile — Data, Push,
 * Inform, Personalize, and one for Campaign report / Business events / Custom templates / Catalog
 * (`reports` here) — and each API family authenticates with its own (http/auth.ts). The Data key
 * stays where it always was (the workspace row, workspaces/workspaces.ts); the others live in the
 * store's `keys` repository, one current key and at most one previous key (a rotation's grace
 * period) per workspace and feature, each as a salted SHA-256 (keys.ts). A key that request
 * signatures are computed from (Push, reports) is also kept sealed under the server secret
 * (secret-box.ts), since no hash can check such a signature. Keys are generated unless given,
 * handed back once (create, rotate), never logged, and never part of a view.
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import type { FeatureKeyRow, Store, Workspace } from '../store/store.js'
import { WorkspaceInputError } from './changes.js'
import { hashKey } from './keys.js'
import { SealedValueError, type SecretBox } from './secret-box.js'
import {
  API_KEY_PATTERN,
  MAX_GRACE_SECONDS,
  createWorkspaces,
  type KeyOrigin,
  type RotateKeyInput,
} from './workspaces.js'

export const FEATURES = ['data', 'push', 'inform', 'personalize', 'reports'] as const

export type Feature = (typeof FEATURES)[number]

/** What a client is told a key is for (the tile names of MoEngage's API keys page). */
export const FEATURE_LABELS: Readonly<Record<Feature, string>> = {
  data: 'Data',
  push: 'Push',
  inform: 'Inform',
  personalize: 'Personalize',
  reports: 'Campaign report / Business events / Custom templates / Catalog',
}

/** Features whose key is also kept sealed: their request signatures are computed from the key. */
export const SEALED_FEATURES: ReadonlySet<Feature> = new Set<Feature>(['push', 'reports'])

export function isFeature(value: unknown): value is Feature {
  return typeof value === 'string' && (FEATURES as readonly string[]).includes(value)
}

/** What a sealed key is bound to: a sealed key copied to another row does not open. */
export function sealContext(workspaceId: string, feature: string): string {
  return `inlet feature key|${workspaceId}|${feature}`
}

/** A feature's key as the admin API and the CLI show it: never the key or its hash. */
export type FeatureKeyView = {
  feature: Feature
  /** What the key is for (FEATURE_LABELS). */
  label: string
  key_set: boolean
  /** When the key was created; null for the Data key (its row does not record it) or none. */
  created_at: string | null
  /** When it was last rotated; null when never (and for the Data key). */
  rotated_at: string | null
  /** A rotated-out key still works (its grace period has not ended). */
  previous_key_in_grace: boolean
  /** When that key stops working; null when there is none in grace. */
  previous_key_expires_at: string | null
}

/** As the Data key's rotation: the key (generated when omitted); `graceSeconds` on rotation only. */
export type FeatureKeyInput = RotateKeyInput

/** A key just set: its view and the key itself (shown once if generated: KeyOrigin). */
export type IssuedFeatureKey = KeyOrigin & Readonly<{ view: FeatureKeyView; apiKey: string }>

/** The feature already has a key (create refuses; rotate replaces). */
export class FeatureKeyExistsError extends Error {
  override readonly name: string = 'FeatureKeyExistsError'
  readonly workspaceId: string
  readonly feature: Feature
  constructor(workspaceId: string, feature: Feature) {
    super(`workspace ${workspaceId} already has a ${feature} key: rotate it instead`)
    this.workspaceId = workspaceId
    this.feature = feature
  }
}

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString()

function inGrace(expiresAt: number | undefined, nowMs: number): number | undefined {
  return expiresAt !== undefined && expiresAt > nowMs ? expiresAt : undefined
}

/** The view of a feature's key: `row` for the scoped features, the workspace row for `data`. */
export function featureKeyView(
  feature: Feature,
  workspace: Workspace,
  row: FeatureKeyRow | undefined,
  nowMs: number,
): FeatureKeyView {
  if (feature === 'data') {
    const until = inGrace(workspace.previousKey?.expiresAt, nowMs)
    return {
      feature,
      label: FEATURE_LABELS[feature],
      key_set: workspace.keyHash !== null,
      created_at: null,
      rotated_at: null,
      previous_key_in_grace: until !== undefined,
      previous_key_expires_at: iso(until),
    }
  }
  const until = inGrace(row?.previous?.expiresAt, nowMs)
  return {
    feature,
    label: FEATURE_LABELS[feature],
    key_set: row !== undefined,
    created_at: iso(row?.createdAt),
    rotated_at: iso(row?.rotatedAt),
    previous_key_in_grace: until !== undefined,
    previous_key_expires_at: iso(until),
  }
}

/**
 * The plaintext keys of a sealed feature key that a request may use at `nowMs`: the current one,
 * and the previous one while its grace period runs. Throws when the current key is not sealed (a
 * feature outside SEALED_FEATURES) or does not open (secret-box.ts SealedValueError). A previous
 * key that does not open — sealed under a server secret since replaced, then rotated out with a
 * grace period — is left out: it could not have worked anyway.
 */
export function openFeatureKeys(row: FeatureKeyRow, secrets: SecretBox, nowMs: number): string[] {
  const context = sealContext(row.workspaceId, row.feature)
  if (row.sealed === null) throw new Error(`the ${row.feature} key is not kept sealed`)
  const keys = [secrets.open(row.sealed, context)]
  const previous = row.previous
  if (previous !== undefined && previous.expiresAt > nowMs && previous.sealed !== null) {
    try {
      keys.push(secrets.open(previous.sealed, context))
    } catch (err) {
      if (!(err instanceof SealedValueError)) throw err
    }
  }
  return keys
}

function checkedKey(key: string | undefined, generate: () => string): string {
  const value = key ?? generate()
  if (!API_KEY_PATTERN.test(value)) {
    throw new WorkspaceInputError('api_key must be 8 to 256 characters without spaces', 'api_key')
  }
  return value
}

function checkedGrace(grace: number | undefined): number {
  const value = grace ?? 0
  if (!Number.isInteger(value) || value < 0 || value > MAX_GRACE_SECONDS) {
    throw new WorkspaceInputError(
      `grace period must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}`,
      'grace_seconds',
    )
  }
  return value
}

export function createFeatureKeys(deps: {
  store: Store
  clock: Clock
  ids: IdGenerator
  secrets: SecretBox
}) {
  const { store, clock, ids, secrets } = deps
  const workspaces = createWorkspaces({ store, clock, ids })

  async function viewOf(workspaceId: string, feature: Feature): Promise<FeatureKeyView> {
    const workspace = await workspaces.get(workspaceId)
    const row = feature === 'data' ? undefined : await store.keys.get(workspaceId, feature)
    return featureKeyView(feature, workspace, row, clock.now())
  }

  /** A new row for `key`, replacing `before` (kept in grace for `graceSeconds` when given). */
  function rowFor(
    workspaceId: string,
    feature: Exclude<Feature, 'data'>,
    key: string,
    before: FeatureKeyRow | undefined,
    graceSeconds: number,
  ): FeatureKeyRow {
    const now = clock.now()
    const { hash, salt } = hashKey(key)
    const sealed = SEALED_FEATURES.has(feature)
      ? secrets.seal(key, sealContext(workspaceId, feature))
      : null
    const row: FeatureKeyRow = {
      workspaceId,
      feature,
      hash,
      salt,
      sealed,
      createdAt: before?.createdAt ?? now,
      rotatedAt: before === undefined ? null : now,
    }
    if (before === undefined || graceSeconds === 0) return row
    const previous = {
      hash: before.hash,
      salt: before.salt,
      sealed: before.sealed,
      expiresAt: now + graceSeconds * 1000,
    }
    return { ...row, previous }
  }

  /**
   * A key for `feature`: a first one (`rotating` false; FeatureKeyExistsError when it has one), or
   * a new one replacing it (a feature without one just gets one). Servers use it once they read
   * the workspace again (at once through this process, within about a second elsewhere); a
   * replaced key stops working then, or `graceSeconds` later.
   */
  async function issue(
    workspaceId: string,
    feature: Feature,
    input: FeatureKeyInput,
    rotating: boolean,
  ): Promise<IssuedFeatureKey> {
    const key = checkedKey(input.key, () => ids.apiKey())
    const graceSeconds = rotating ? checkedGrace(input.graceSeconds) : 0
    const workspace = await workspaces.get(workspaceId)
    if (feature === 'data') {
      if (!rotating && workspace.keyHash !== null) {
        throw new FeatureKeyExistsError(workspaceId, feature)
      }
      await workspaces.rotateKey(workspaceId, rotating ? { key, graceSeconds } : { key })
    } else {
      const before = await store.keys.get(workspaceId, feature)
      if (!rotating && before !== undefined) throw new FeatureKeyExistsError(workspaceId, feature)
      await store.keys.set(rowFor(workspaceId, feature, key, before, graceSeconds))
    }
    return {
      view: await viewOf(workspaceId, feature),
      apiKey: key,
      generated: input.key === undefined,
    }
  }

  /** A first key for `feature`; FeatureKeyExistsError when it has one (rotate replaces it). */
  const create = (workspaceId: string, feature: Feature, input: FeatureKeyInput = {}) =>
    issue(workspaceId, feature, input, false)

  /** A new key for `feature`, the replaced one working `input.graceSeconds` longer (see issue). */
  const rotate = (workspaceId: string, feature: Feature, input: FeatureKeyInput = {}) =>
    issue(workspaceId, feature, input, true)

  /** No key for `feature` (its previous key goes too): its requests answer 409 until one is set. */
  async function remove(workspaceId: string, feature: Feature): Promise<FeatureKeyView> {
    await workspaces.get(workspaceId)
    if (feature === 'data') await workspaces.removeKey(workspaceId)
    else await store.keys.delete(workspaceId, feature)
    return viewOf(workspaceId, feature)
  }

  /** Every feature, with or without a key, in FEATURES order. */
  async function list(workspaceId: string): Promise<FeatureKeyView[]> {
    const workspace = await workspaces.get(workspaceId)
    const rows = new Map((await store.keys.list(workspaceId)).map((r) => [r.feature, r]))
    const now = clock.now()
    return FEATURES.map((f) => featureKeyView(f, workspace, rows.get(f), now))
  }

  return { create, rotate, remove, list }
}

export type FeatureKeys = ReturnType<typeof createFeatureKeys>
