/**
 * Applies `install` records (install attribution, spec §7.10): the user owning the installing
 * device (found by GAID / IDFV when the request arrived) gets the install's `publisher_name` and
 * `campaign_name` — create-only standard attributes (spec §8.1), so a user that already has one
 * keeps it.
 */
import type { InstallPayload } from '../../core/records.js'
import { defineOwn } from '../../profile/attribute-values.js'
import type { LogRecord } from '../../store/store.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { parsePayload, type StepContext } from './step.js'

export function applyInstall(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<InstallPayload>(record)
  const user = ctx.state.userById(record.workspaceId, p.user_id)
  if (user === undefined) {
    return skipped(`the user of the installing device no longer exists (spec §7.10)`)
  }
  const notes: string[] = []
  let changed = false
  for (const key of ['publisher_name', 'campaign_name'] as const) {
    const value = p[key]
    if (value === undefined) continue
    if (Object.hasOwn(user.attributes, key)) {
      notes.push(`'${key}' is set only once (spec §8.1); the user's value was kept`)
      continue
    }
    defineOwn(user.attributes, key, value)
    changed = true
  }
  if (changed) {
    user.updatedAt = ctx.now
    ctx.state.putUser(user)
  }
  return applied(notes)
}
