/**
 * The Cards family's quotas, as its pages' `x-mint` notes give them: "The rate limit is 50K RPM
 * (Requests Per Minute) and is applicable at the workspace (App) level", for fetch and for delete
 * each, counted per workspace in fixed minutes, one request one unit, with the `x-ratelimit-*`
 * headers the 429 documents. Inlet's activity endpoint counts as a fetch (the SDK sends both).
 * docs/quotas.md lists them.
 */
import { MINUTE, quotaWindows, type QuotaPlan } from '../../governance/quotas.js'

export const CARDS_QUOTAS = {
  cards_fetch: quotaWindows({ length: MINUTE, limit: 50_000, kind: 'fixed' }),
  cards_delete: quotaWindows({ length: MINUTE, limit: 50_000, kind: 'fixed' }),
} as const satisfies QuotaPlan
