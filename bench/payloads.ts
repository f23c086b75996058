// Benchmark request bodies: Create Event (one action), Track User, and Bulk Import bodies just under
// the 100 KB limit mixing customers, devices and events, with how many log records each becomes.

/** Bulk bodies stay below Inlet's default Bulk limit (100 KB = 102,400 bytes). */
export const BULK_TARGET_BYTES = 99_000

/** How many distinct customers Track User cycles through (each request a new user at first). */
const USER_POOL = 100_000

/**
 * How many distinct customers Create Event cycles through: a typical stream has many events per
 * user, and a pool as large as the run would make every event also create a profile.
 */
const EVENT_USER_POOL = 10_000

const ACTIONS = ['Added to Cart', 'Viewed Product', 'Purchased', 'Searched', 'Opened App']
const PLATFORMS = ['ANDROID', 'iOS', 'web'] as const
const CITIES = ['Berlin', 'Mumbai', 'Sao Paulo', 'Lagos', 'Osaka', 'Toronto']

/** Spreads consecutive request numbers over the pool, so ids repeat only after a full cycle. */
export function customerId(prefix: string, n: number, pool = USER_POOL): string {
  return `${prefix}-${(n * 7919) % pool}`
}

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T // n % length is always a valid index of a non-empty list
}

/** One Create Event action: a typical event with a handful of attributes. */
function action(n: number): Record<string, unknown> {
  return {
    action: pick(ACTIONS, n),
    attributes: {
      sku: `SKU-${n % 5000}`,
      price: (n % 200) + 0.99,
      quantity: (n % 4) + 1,
      category: pick(['shoes', 'books', 'games', 'garden'], n),
    },
    platform: pick(PLATFORMS, n),
    app_version: '3.2.1',
    user_time: 1795000000 + (n % 86_400),
  }
}

function userAttributes(id: string, n: number): Record<string, unknown> {
  return {
    first_name: `Name${n % 977}`,
    email: `${id}@example.com`,
    points: n % 1000,
    plan: pick(['free', 'pro', 'team'], n),
    city: pick(CITIES, n),
    newsletter: n % 2 === 0,
  }
}

/** Create Event (spec §7.2) with one action: one `event` record. */
export function eventBody(n: number): string {
  const id = customerId('ev', n, EVENT_USER_POOL)
  return JSON.stringify({ type: 'event', customer_id: id, actions: [action(n)] })
}

/** Track User (spec §7.1): one `customer` record. */
export function userBody(n: number): string {
  const id = customerId('us', n)
  return JSON.stringify({ type: 'customer', customer_id: id, attributes: userAttributes(id, n) })
}

export type BulkBody = Readonly<{
  body: Buffer
  records: number
  customers: number
  devices: number
  events: number
}>

/**
 * A Bulk Import body (spec §7.3) of groups: a customer, one of its devices and two event elements
 * of two actions each (so 1 + 1 + 4 records per group), as many groups as fit in the target size.
 * `seed` keeps the customer ids of different bodies apart.
 */
export function bulkBody(seed: number, targetBytes = BULK_TARGET_BYTES): BulkBody {
  const elements: unknown[] = []
  const counts = { customers: 0, devices: 0, events: 0 }
  const envelope = (els: unknown[]): string => JSON.stringify({ type: 'transition', elements: els })
  let size = envelope([]).length
  for (let g = 0; ; g++) {
    const n = seed * 1000 + g
    const id = `bk-${n}`
    const group = [
      { type: 'customer', customer_id: id, attributes: userAttributes(id, n) },
      {
        type: 'device',
        customer_id: id,
        device_id: `dev-${n}`,
        attributes: { platform: pick(PLATFORMS, n), push_id: `push-${n}-${'x'.repeat(24)}` },
      },
      { type: 'event', customer_id: id, actions: [action(n), action(n + 1)] },
      { type: 'event', customer_id: id, actions: [action(n + 2), action(n + 3)] },
    ]
    const groupBytes = group.reduce<number>((sum, e) => sum + JSON.stringify(e).length + 1, 0)
    if (size + groupBytes > targetBytes) break
    elements.push(...group)
    size += groupBytes
    counts.customers += 1
    counts.devices += 1
    counts.events += 4
  }
  const body = Buffer.from(envelope(elements))
  return { body, records: counts.customers + counts.devices + counts.events, ...counts }
}

/** Where each `user_time` value of a Bulk body starts (10 digits: epoch seconds, bulkBody's). */
const USER_TIME = Buffer.from('"user_time":')

/**
 * Bodies for a Bulk load whose events are new each time a body comes round again, as live
 * traffic's are: the n-th request is pool body n mod length with every `user_time` moved on by a
 * day per earlier round of the pool. Replaying the pool unchanged (the default load) makes each
 * event the same user's same event at the same second as the rounds before, a duplicate no client
 * sends, which lands every insert on its own page of the events' indexes (docs/benchmarks.md,
 * 2026-12-05 07:00). The times stay ten digits, so each body keeps its size.
 */
export function bulkBodiesWithNewTimes(pool: readonly BulkBody[]): (n: number) => Buffer {
  const starts = pool.map(({ body }) => {
    const out: number[] = []
    for (let at = body.indexOf(USER_TIME); at >= 0; at = body.indexOf(USER_TIME, at + 1)) {
      out.push(at + USER_TIME.length)
    }
    return out
  })
  return (n) => {
    const i = n % pool.length
    const copy = Buffer.from((pool[i] as BulkBody).body)
    const round = Math.floor(n / pool.length)
    for (const at of starts[i] as number[]) {
      const second = Number(copy.toString('latin1', at, at + 10))
      // 1,700,000,000 + 86,400 × round stays ten digits for 3.4M rounds.
      copy.write(String(second - 95_000_000 + round * 86_400), at, 'latin1')
    }
    return copy
  }
}
