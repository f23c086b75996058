/**
 * The consent family's quotas, as its pages' `x-mint` notes give them, each counted per
 * workspace in fixed windows (a minute, a UTC day), one request one unit, and no rate-limit
 * headers (the pages document none): Subscription categories "100 RPM and 360k per day" for each
 * of its three operations, Email opt-in "1000 RPM and 360K per day", Bulk resubscribe "10 RPM"
 * and "14.4K per day". docs/quotas.md lists them.
 */
import { DAY, MINUTE, quotaWindows, type QuotaPlan } from '../../governance/quotas.js'

const perMinuteAndDay = (minute: number, day: number) =>
  quotaWindows(
    { length: MINUTE, limit: minute, kind: 'fixed' },
    { length: DAY, limit: day, kind: 'fixed' },
  )

export const CONSENT_QUOTAS = {
  subscription_get: perMinuteAndDay(100, 360_000),
  subscription_update: perMinuteAndDay(100, 360_000),
  subscription_bulk: perMinuteAndDay(100, 360_000),
  email_opt_in: perMinuteAndDay(1_000, 360_000),
  email_resubscribe: perMinuteAndDay(10, 14_400),
} as const satisfies QuotaPlan

export type ConsentQuota = keyof typeof CONSENT_QUOTAS
