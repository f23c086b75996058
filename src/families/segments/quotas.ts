/**
 * The segments family's quotas, as the Filter Segments pages' `x-mint` notes give them, each
 * counted per workspace in fixed windows (a minute, an hour, a UTC day), one request one unit, and
 * no rate-limit headers (the pages document none): List and Create "50 request/minute, 200
 * requests/hour, and 1000 requests/day" each, Get by ID "100 requests/minute, 1000 requests/hour,
 * and 4000 requests/day". Update documents none: Inlet gives it Create's. Inlet's member reads
 * (users, count, export) count as Get by ID's do, in a quota of their own. File segments (the
 * Create File Segment page): "file segment operations (create/add/remove) per hour … is 10" and
 * "per day … is 100", over "the last hour and last 24 hrs" (rolling windows), replace counted as
 * one of them; archive and unarchive document none: Inlet gives them Create's. Cohort Sync: "300
 * requests per minute". docs/quotas.md lists them.
 */
import { DAY, HOUR, MINUTE, quotaWindows, type QuotaPlan } from '../../governance/quotas.js'

const windows = (minute: number, hour: number, day: number) =>
  quotaWindows(
    { length: MINUTE, limit: minute, kind: 'fixed' },
    { length: HOUR, limit: hour, kind: 'fixed' },
    { length: DAY, limit: day, kind: 'fixed' },
  )

export const SEGMENT_QUOTAS = {
  segments_list: windows(50, 200, 1_000),
  segments_create: windows(50, 200, 1_000),
  segments_update: windows(50, 200, 1_000),
  segments_get: windows(100, 1_000, 4_000),
  segments_members: windows(100, 1_000, 4_000),
  file_segment_ops: quotaWindows(
    { length: HOUR, limit: 10, kind: 'rolling' },
    { length: DAY, limit: 100, kind: 'rolling' },
  ),
  segments_archive: windows(50, 200, 1_000),
  cohort_sync: quotaWindows({ length: MINUTE, limit: 300, kind: 'fixed' }),
} as const satisfies QuotaPlan

export type SegmentQuota = keyof typeof SEGMENT_QUOTAS

/** "The total number of users uploaded via the File segment is limited to 2 million per day." */
export const FILE_SEGMENT_USERS_PER_DAY = 2_000_000
