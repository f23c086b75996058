/**
 * The Live Activities family's quotas, as its pages' `x-mint` notes give them, counted per
 * workspace in fixed minutes, one request one unit, no rate-limit headers (the pages document
 * none; a 429 is the body `[]`): start "5 requests per minute per workspace"; update and end "500
 * requests per minute per workspace and 5 requests per minute per live activity ID" — the
 * workspace's 500 counted for update and end together, and the 5 per live activity counted in the
 * store's shared counts under `live_activity:<broadcast_live_activity_id>` (broadcast.ts), a quota
 * of its own for each campaign. docs/quotas.md lists them.
 */
import { MINUTE, quotaWindows, type QuotaPlan } from '../../governance/quotas.js'

export const LIVE_ACTIVITY_QUOTAS = {
  live_activity_start: quotaWindows({ length: MINUTE, limit: 5, kind: 'fixed' }),
  live_activity_change: quotaWindows({ length: MINUTE, limit: 500, kind: 'fixed' }),
} as const satisfies QuotaPlan

/** Update and end requests a minute for one live activity (its broadcast id). */
export const PER_ACTIVITY_LIMIT = 5
