/**
 * Auth variants: how an API family declares the authentication of its routes, as a value, and the
 * constant-time checks behind them. MoEngage's families differ (moengage-other-apis.md §1, "Auth"):
 * Basic auth with the Data key or another feature's key (Push, Inform, Personalize, Campaign
 * reports), a `MOE-APPKEY` or `X-MOE-APPKEY` header that is optional or required, the workspace
 * named in the path or query or by the Basic user — and Push, which has no Basic auth but a
 * signature in its body (sha256 of `appId|campaignName|pushApiKey`). The Basic variants run in the
 * gateway (gateway.ts), the signature in auth-hooks.ts; `installAuth` (auth-hooks.ts) puts either
 * in front of a family's scope. docs/auth.md describes each variant and its order of checks.
 */
import { hash, timingSafeEqual } from 'node:crypto'
import type { FeatureKeyRow } from '../store/store.js'
import type { Feature } from '../workspaces/feature-keys.js'
import { verifyKey } from '../workspaces/keys.js'

/** HTTP Basic auth: `Authorization: Basic base64(<workspace id>:<the feature's key>)`. */
export type BasicAuth = Readonly<{
  scheme: 'basic'
  /** Whose key the password must be: the workspace's Data key, or another feature's. */
  feature: Feature
  /**
   * The header naming the workspace again: `optional` (checked against the Basic user when sent,
   * spec §2.2) or `required` (401 `moe_appkey_missing` without it).
   */
  appKey: 'optional' | 'required'
  appKeyHeader: 'MOE-APPKEY' | 'X-MOE-APPKEY'
  /**
   * `path-or-query`: the route names the workspace in its `:id` path parameter or `?app_id=`
   * (spec §2.3), which must equal the Basic user. `basic-user`: the Basic user names it (an
   * `?app_id=`, when given, must equal it).
   */
  workspaceFrom: 'path-or-query' | 'basic-user'
  /** `json`: a JSON Content-Type is required (last of the checks, spec §4.5); `any`: unchecked. */
  contentType: 'json' | 'any'
}>

/**
 * Push API (moengage-other-apis.md §2.8): no Basic auth; the workspace id, the campaign name and a
 * signature — sha256 hex of `appId|campaignName|pushApiKey` — in the request. `body`: v2, all
 * three in the JSON body (`appId`, `campaignName`, `signature`); `headers`: v2.1, the workspace id
 * in `X-MOE-APPKEY` and the signature in `X-MOE-PushAPI-Signature`, the campaign name in the body.
 * Checked once the body is parsed (auth-hooks.ts).
 */
export type PushSignatureAuth = Readonly<{
  scheme: 'push-signature'
  source: 'body' | 'headers'
}>

export type AuthVariant = BasicAuth | PushSignatureAuth

/** The Data API (spec §2.1, §2.2): Data key, optional `MOE-APPKEY`, workspace in path or query. */
export const DATA_AUTH: BasicAuth = Object.freeze({
  scheme: 'basic',
  feature: 'data',
  appKey: 'optional',
  appKeyHeader: 'MOE-APPKEY',
  workspaceFrom: 'path-or-query',
  contentType: 'json',
})

/** Inlet's own endpoints (`/inlet/v1/…`): the Data key, the Basic user names the workspace. */
export const INLET_AUTH: BasicAuth = Object.freeze({
  ...DATA_AUTH,
  workspaceFrom: 'basic-user',
  contentType: 'any',
})

/**
 * The consent family (moengage-other-apis.md §2.10: Subscription categories, Email opt-in, Bulk
 * resubscribe): Basic with the Data key, the Basic user naming the workspace, `MOE-APPKEY`
 * required; a JSON body's Content-Type for PUT and POST.
 */
export const CONSENT_AUTH: BasicAuth = Object.freeze({
  ...DATA_AUTH,
  appKey: 'required',
  workspaceFrom: 'basic-user',
})

/** The consent family's GET (Subscription categories' preferences): no body, no Content-Type. */
export const CONSENT_READ_AUTH: BasicAuth = Object.freeze({ ...CONSENT_AUTH, contentType: 'any' })

/**
 * Segments v3 (moengage-other-apis.md §2.1; the Filter Segments page: "Basic Auth. You must also
 * provide the `MOE-APPKEY` header"): Basic with the workspace id and the Data API key, the Basic
 * user naming the workspace, `MOE-APPKEY` required; a JSON body's Content-Type for POST and PATCH.
 */
export const SEGMENTS_AUTH: BasicAuth = Object.freeze({ ...CONSENT_AUTH })

/** Segments v3's GETs (and Inlet's member reads): no body, no Content-Type. */
export const SEGMENTS_READ_AUTH: BasicAuth = Object.freeze({ ...SEGMENTS_AUTH, contentType: 'any' })

/**
 * Segments v2 (file segments, archive, unarchive: moengage-custom-segments-openapi.yml): Basic
 * with the workspace id and the Data API key, the Basic user naming the workspace, `MOE-APPKEY`
 * checked when sent (the pages name none). The Content-Type is not checked: the pages declare a
 * required CSV media type for what is a JSON body (moengage-other-apis.md §5, defect 2), so
 * either is taken and the body read as JSON.
 */
export const FILE_SEGMENTS_AUTH: BasicAuth = Object.freeze({
  ...DATA_AUTH,
  workspaceFrom: 'basic-user',
  contentType: 'any',
})

/**
 * Cohort Sync (moengage-cohort-audience-openapi.yml): Basic with the Data API key, the Basic user
 * naming the workspace, `MOE-APPKEY` required; a JSON body.
 */
export const COHORT_SYNC_AUTH: BasicAuth = Object.freeze({ ...CONSENT_AUTH })

/**
 * Inform (moengage-other-apis.md §2.8; moengage-inform-openapi.yml `basicAuth` + `moeAppKey`):
 * Basic with the workspace's Inform key, the Basic user naming the workspace, `MOE-APPKEY`
 * required; a JSON body.
 */
export const INFORM_AUTH: BasicAuth = Object.freeze({
  ...DATA_AUTH,
  feature: 'inform',
  appKey: 'required',
  workspaceFrom: 'basic-user',
})

/**
 * Message Archival (moengage-message-archival-openapi.yml: `basicAuth` with the Data tile's key,
 * `MOE-APPKEY` required): Basic with the Data key, the Basic user naming the workspace,
 * `MOE-APPKEY` required; a JSON body.
 */
export const ARCHIVAL_AUTH: BasicAuth = Object.freeze({ ...CONSENT_AUTH })

/**
 * File Imports (spec §7.9: `MOE-APPKEY` required and Basic auth): Basic with the Data key, the
 * Basic user naming the workspace, `MOE-APPKEY` required; status and run history take a JSON
 * body (415 otherwise), the trigger none (any Content-Type).
 */
export const FILE_IMPORTS_AUTH: BasicAuth = Object.freeze({ ...CONSENT_AUTH })
export const FILE_IMPORTS_TRIGGER_AUTH: BasicAuth = Object.freeze({
  ...CONSENT_AUTH,
  contentType: 'any',
})

/**
 * Live Activities (moengage-live-activities-openapi.yml: `basicAuth` with the Push tile's key and
 * the `X-MOE-APPKEY` header, required): Basic with the workspace's Push key, the Basic user
 * naming the workspace, `X-MOE-APPKEY` required; a JSON body.
 */
export const LIVE_ACTIVITY_AUTH: BasicAuth = Object.freeze({
  ...DATA_AUTH,
  feature: 'push',
  appKey: 'required',
  appKeyHeader: 'X-MOE-APPKEY',
  workspaceFrom: 'basic-user',
})

/**
 * Cards (moengage-cards-openapi.yml: `basicAuth` with the key of the "Campaign report/Business
 * events/Custom templates/Catalog API/Inform Report" tile, `MOE-APPKEY` required): Basic with the
 * workspace's `reports` key, the Basic user naming the workspace, `MOE-APPKEY` required; a JSON
 * body (fetch's POST and delete's DELETE both carry one).
 */
export const CARDS_AUTH: BasicAuth = Object.freeze({
  ...DATA_AUTH,
  feature: 'reports',
  appKey: 'required',
  workspaceFrom: 'basic-user',
})

/** Push API v2: the signature in the body. */
export const PUSH_V2_AUTH: PushSignatureAuth = Object.freeze({
  scheme: 'push-signature',
  source: 'body',
})

/**
 * A feature key: the current one, or — during a rotation's grace period — the one it replaced.
 * Both comparisons run whichever matches (as keyAccepted does for the Data key), so timing does
 * not tell which key a guess came close to.
 */
export function featureKeyAccepted(secret: string, row: FeatureKeyRow, nowMs: number): boolean {
  const current = verifyKey(secret, row)
  const previous = row.previous
  const old = previous !== undefined && previous.expiresAt > nowMs && verifyKey(secret, previous)
  return current || old
}

/** Push v2's signature: the hex SHA-256 of `appId|campaignName|pushApiKey` (UTF-8). */
export function pushSignature(appId: string, campaignName: string, pushApiKey: string): string {
  return hash('sha256', `${appId}|${campaignName}|${pushApiKey}`, 'hex')
}

/**
 * True when `given` is the Push signature of `appId` and `campaignName` under one of `keys` (the
 * current key and, in grace, the previous one). Hex digits are compared case-blind. Each key is
 * compared, whichever matches, as two SHA-256 digests in constant time: neither the length of the
 * guess nor where it differs shows in the time taken.
 */
export function signatureAccepted(
  given: string,
  appId: string,
  campaignName: string,
  keys: readonly string[],
): boolean {
  const digest = hash('sha256', given.toLowerCase(), 'buffer')
  let accepted = false
  for (const key of keys) {
    const expected = hash('sha256', pushSignature(appId, campaignName, key), 'buffer')
    accepted = timingSafeEqual(digest, expected) || accepted
  }
  return accepted
}
