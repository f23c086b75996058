/**
 * What the fuzz suites share (endpoints.test.ts for the Data API and the admin API,
 * families.test.ts for the other families): the generators of keys, scalars and JSON-ish values
 * (the specs' own field names and values among them),
 * mutations of a valid body, the run parameters (a fixed seed unless FUZZ_SEED is set; FUZZ_RUNS
 * scales the runs), a readable failure, and the health check after a property.
 */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import fc from 'fast-check'
import type { TestApp } from '../helpers/app.js'

export const RUNS = Math.max(1, Math.round(Number(process.env['FUZZ_RUNS'] ?? 1) * 150))
const SEED = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED'])
/** No request may take longer than this, even on a loaded machine. */
export const HANG_MS = 10_000

export const SQLISH = [
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  "x'); DELETE FROM log_records; --",
  'Robert"); DROP TABLE workspaces;--',
  '%27%20OR%201%3D1',
  '$1',
  '?',
  '\\',
  '\u0000',
]
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString']

/** Keys that reach code paths: the specs' own names, prototype names, SQL, and anything. */
export const key = fc.oneof(
  fc.constantFrom(
    'type',
    'customer_id',
    'attributes',
    'actions',
    'action',
    'elements',
    'device_id',
    'platform',
    'push_id',
    'data',
    'identifiers',
    'identifier_type',
    'identifier',
    'merge_data',
    'merged_user',
    'retained_user',
    'identity_type',
    'identity_value',
    'user_identifier_type',
    'user_identifier_value',
    'action_type',
    'device_identifiers',
    'unique_id',
    'current_time',
    'user_time',
    'addValueToArrayField',
    'removeValueFromArrayField',
    'unset_attributes',
    'platforms',
    'name',
    'state',
    'limits',
    'settings',
    'grace_seconds',
    'app_id',
    'app_secret',
    'moe_ip',
    'created_time',
    'u_em',
    '$date',
    // The other families' (families.test.ts)
    'included_filters',
    'filter_operator',
    'filters',
    'filter_type',
    'data_type',
    'operator',
    'value',
    'value1',
    'negate',
    'case_sensitive',
    'executed',
    'execution',
    'primary_time_range',
    'attribute_name',
    'attribute_type',
    'file_url',
    'callback_url',
    'expiry_time',
    'cs_id',
    'user_preferences',
    'channel',
    'categories',
    'unsubscribe_all',
    'opt_in_status',
    'recipients',
    'alert_id',
    'user_id',
    'transaction_id',
    'payloads',
    'recipient',
    'personalized_attributes',
    'appId',
    'campaignName',
    'signature',
    'requestType',
    'targetPlatform',
    'targetAudience',
    'customSegmentName',
    'targetUserAttributes',
    'attribute',
    'comparisonParameter',
    'attributeValue',
    'isCustom',
    'payload',
    'ANDROID',
    'IOS',
    'WEB',
    'title',
    'message',
    'campaignDelivery',
    'date',
    'time',
    'endDate',
    'repeatAfter',
    'timezone',
    'advancedSettings',
    'broadcast_live_activity_id',
    'instance_id',
    'ios',
    'dismissal_date',
    'stale_date',
    'attribute_info',
    'content_state',
    'alert',
    'body',
    'delivery_type',
    'campaign_type',
    'campaign_channel',
    'sent_epoch_time',
    'campaign_id',
    'event_name',
    'event_id',
    'import_id',
    'import_name',
    'import_type',
    'schedule_type',
    'file_source',
    'schedule_status',
    'file_status',
    'start_date',
    'end_date',
    'format',
    'offset',
  ),
  fc.constantFrom(...PROTO_KEYS, ...SQLISH),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
)

/** Scalars that stress parsing and storage: huge and odd numbers, long and odd strings. */
export const scalar = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -0,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2 ** 63,
    5e-324,
    '',
    ' ',
    'customer',
    'event',
    'device',
    'transition',
    'customer_id',
    'ANDROID',
    'block',
    'unblock',
    '2026-11-01T10:00:00Z',
    '9999-12-31',
    'guest',
    'User',
    'All Users',
    'Custom Segment',
    'soon',
    'later',
    'periodic',
    '11/01/2026',
    '02/30/2026',
    '11:00 AM',
    '13:61 PM',
    'Asia/Kolkata',
    'Not/AZone',
    'USER_ATTRIBUTE_UNIQUE_ID',
    'SMS Sent',
    'USERS',
    'PERIODIC',
    'SFTP',
    'QUEUED',
    'DD/MM/YYYY',
    'YYYY-MM-DD hh:mm:ss',
    '31/02/2026',
    'x'.repeat(600),
    'http://' + 'a'.repeat(3000),
    '\ud800',
    '\uffff',
  ),
  fc.constantFrom(...SQLISH, ...PROTO_KEYS),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
)

export const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }).map(withOwnProtoKeys),
  ),
})).value

/** fc.dictionary assigns with `=`; rebuild so a `__proto__` key is an own key, as JSON.parse does. */
function withOwnProtoKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(obj)) {
    Object.defineProperty(out, k, { value: obj[k], enumerable: true, writable: true })
  }
  return out
}

/** A valid body with one part replaced, removed or added at a random depth. */
export function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), jsonish, fc.nat(2), key)
    .map(([path, value, op, k]) => mutate(structuredClone(base), path, value, op, k))
}

function mutate(root: unknown, path: number[], value: unknown, op: number, k: string): unknown {
  let node = root
  for (const step of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) break
    const keys = Object.keys(node)
    if (keys.length === 0) break
    const next = (node as Record<string, unknown>)[keys[step % keys.length] ?? '']
    if (typeof next !== 'object' || next === null) break
    node = next
  }
  if (typeof node !== 'object' || node === null) return value
  const obj = node as Record<string, unknown>
  const keys = Object.keys(obj)
  const target = keys.length === 0 ? k : (keys[(path.at(-1) ?? 0) % keys.length] ?? k)
  if (op === 0) delete obj[target]
  else
    Object.defineProperty(obj, op === 1 ? target : k, { value, enumerable: true, writable: true })
  return root
}

export const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort()

/** After the property: the processor applies everything, nothing died, nothing polluted. */
export async function assertHealthy(t: TestContext, app: TestApp): Promise<void> {
  await app.drain()
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTOTYPE_KEYS)
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype polluted')
  const errors = app.log.lines.filter((l) => /"level":"error"/.test(l))
  assert.deepEqual(errors, [], 'nothing was logged as an error')
  const stats = app.processor.stats()
  assert.equal(stats.dead, 0, `no record died: ${JSON.stringify(stats)}`)
  t.diagnostic(`processor: ${JSON.stringify(stats)}`)
}

export const params = (runs = RUNS) => ({
  numRuns: runs,
  ...(SEED === undefined ? { seed: 8_000_001 } : { seed: SEED }),
  endOnFailure: true,
})

export const clip = (text: string, max = 1_500): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`

/** fc.assert with a readable failure: the first failing input and its error, both clipped. */
export async function check<T extends unknown[]>(
  property: fc.IAsyncProperty<T>,
  parameters: ReturnType<typeof params>,
): Promise<void> {
  const details = await fc.check(property, parameters)
  if (!details.failed) return
  const error = details.errorInstance
  const message = error instanceof Error ? error.message : String(error)
  assert.fail(
    `fuzz failure (seed ${details.seed}, path ${String(details.counterexamplePath)}):\n` +
      `input: ${clip(fc.stringify(details.counterexample))}\nerror: ${clip(message)}`,
  )
}
