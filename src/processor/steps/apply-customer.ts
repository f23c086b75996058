/**
 * Applies a `customer` record (Track User, Bulk customer element) to its profile — spec §8.2:
 * attributes upserted key by key (last write wins, absent keys untouched), created when unknown
 * unless `update_existing_only`; create-only standard attributes ignored on update (§8.1); array
 * add/remove operations (§8.4).
 */
import type { CustomerPayload } from '../../ingest/record.js'
import { internalKey, isUpdatable } from '../../profile/standard-attributes.js'
import type { AttributeMap, LogRecord } from '../../store/store.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { newUser, parsePayload, type StepContext } from './step.js'

const ARRAY_OPS = new Set(['addValueToArrayField', 'removeValueFromArrayField'])

export function applyCustomer(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<CustomerPayload>(record)
  const existing = ctx.state.userByCustomerId(record.workspaceId, p.customer_id)
  if (existing === undefined && p.update_existing_only) {
    return skipped('update_existing_only is true and no user has this customer_id (spec §7.1)')
  }
  const user = existing ?? newUser(ctx, record.workspaceId, p.customer_id)
  const isNew = existing === undefined
  const attrs = user.attributes
  for (const [key, value] of Object.entries(p.attributes)) {
    if (ARRAY_OPS.has(key)) continue
    const internal = internalKey(key)
    if (!isNew && !isUpdatable(internal)) continue
    setOwn(attrs, internal, value)
  }
  applyArrayOps(attrs, p.attributes)
  user.updatedAt = ctx.now
  ctx.state.putUser(user)
  return applied()
}

function applyArrayOps(attrs: AttributeMap, given: Record<string, unknown>): void {
  const add = given['addValueToArrayField']
  if (typeof add === 'object' && add !== null && !Array.isArray(add)) {
    for (const [key, values] of Object.entries(add)) {
      const internal = internalKey(key)
      const current = Array.isArray(attrs[internal]) ? (attrs[internal] as unknown[]) : []
      const given: unknown[] = Array.isArray(values) ? values : [values]
      const extra = given.filter((v) => !current.includes(v))
      setOwn(attrs, internal, [...current, ...extra])
    }
  }
  const remove = given['removeValueFromArrayField']
  if (typeof remove === 'object' && remove !== null && !Array.isArray(remove)) {
    for (const [key, values] of Object.entries(remove)) {
      const internal = internalKey(key)
      const current = attrs[internal]
      if (!Array.isArray(current)) continue
      const drop: unknown[] = Array.isArray(values) ? values : [values]
      setOwn(
        attrs,
        internal,
        current.filter((v) => !drop.includes(v)),
      )
    }
  }
}

/** Sets an own property even for keys like `__proto__`, which plain assignment would not store. */
function setOwn(target: AttributeMap, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}
