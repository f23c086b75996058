/**
 * The Push SQL logic written once for both adapters (store/push-repo.ts): whether a send is still
 * where a step began (read from its row under the step's transaction), and the values the step
 * then writes to it. The statements around them are each adapter's (sqlite/push.ts,
 * postgres/push.ts).
 */
import type { Row } from './rows.js'
import type { PushRunStep } from './push-repo.js'

/** True when the send's row (`occurrence`, `cursor`, `next_at`) is where `step` began. */
export function stepApplies(at: Row | undefined, step: PushRunStep): at is Row {
  return (
    at !== undefined &&
    at['next_at'] !== null &&
    Number(at['occurrence']) === step.occurrence &&
    (at['cursor'] ?? null) === step.cursor
  )
}

/**
 * The values a step writes, in the order occurrence, cursor, next_at, lease_until, messages
 * added, updated_at, workspace_id, id: on within the occurrence (its time and the lease kept), or
 * the occurrence done (the next one's time, no lease).
 */
export function stepValues(at: Row, step: PushRunStep, messages: number): unknown[] {
  const done = step.next === null
  return [
    done ? step.occurrence + 1 : step.occurrence,
    step.next,
    done ? step.nextAt : at['next_at'],
    done ? null : step.leaseUntil,
    messages,
    step.now,
    step.workspaceId,
    step.id,
  ]
}
