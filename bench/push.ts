// The Push expansion benchmark (`npm run bench:push`, issue 21: "a 100,000-user All Users push is
// expanded into the outbox at ≥ 20,000 messages/s"): a workspace of generated users
// (bench/browse-data.ts's), each with one Android device, and one Push API campaign to All Users
// on ANDROID sent through families/push's startSend — the path of `POST /v2/transaction/sendpush`
// after the body is parsed: the campaign claimed, its run recorded, every page of users read with
// their devices, each message built and written to the outbox a page per transaction, the system
// events appended to the ingest log — timed from the call to its return, on SQLite and
// PostgreSQL (store durability `fsync`). Prints the messages written, the seconds and the rate per
// store, and the goal's line.
//
//   npm run bench:push                              # both stores, 100,000 users
//   npm run bench:push -- --store sqlite --users 2000
import { cpus, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { systemClock } from '../src/core/clock.js'
import { createIdGenerator } from '../src/core/ids.js'
import { parsePushRequest } from '../src/families/push/bodies/push-body.js'
import { startSend } from '../src/families/push/send.js'
import { silentLogger } from '../src/core/log.js'
import { createIngest } from '../src/ingest/accept.js'
import { startLogWriterWorker } from '../src/ingest/log-writer.js'
import type { Store } from '../src/store/store.js'
import { onPostgres, onSqlite } from './bench-stores.js'
import { POSTGRES_LOAD, SQLITE_LOAD, T0, WS } from './browse-data.js'

const { values: flags } = parseArgs({
  options: { store: { type: 'string' }, users: { type: 'string' } },
})
const STORES = (flags.store ?? 'sqlite,postgres').split(',').map((s) => s.trim())
const USERS = Number(flags.users ?? 100_000)
const GOAL_PER_SEC = 20_000

/** One Android device per user, its push token derived from the user id. */
const SQLITE_DEVICES = `INSERT INTO devices (workspace_id, device_id, user_id, platform, push_id,
  attributes, created_at, updated_at)
  SELECT workspace_id, 'dev-' || id, id, 'ANDROID', 'fcm-' || id, '{}', created_at, updated_at
  FROM users WHERE workspace_id = ?`
const POSTGRES_DEVICES = SQLITE_DEVICES.replace('?', '$1')

/** The campaign: All Users on Android, a personalised message. */
const CAMPAIGN = parsePushRequest({
  campaignName: 'Bench: everyone',
  requestType: 'push',
  targetPlatform: ['ANDROID'],
  targetAudience: 'All Users',
  payload: {
    ANDROID: {
      title: 'Flash sale',
      message: "Hi {{UserAttribute['Name']|default('there')}}, 20 % off today",
    },
  },
  campaignDelivery: { type: 'soon' },
})

type Run = Readonly<{ messages: number; seconds: number; perSec: number }>

/**
 * Expands the campaign on `store`; `logDir`: the SQLite store's directory, whose log the server
 * appends to from its log writer thread (ingest/log-writer.ts), as this does then.
 */
async function expand(store: Store, logDir?: string): Promise<Run> {
  const writer =
    logDir === undefined
      ? undefined
      : startLogWriterWorker(
          { dataDir: logDir, durability: 'fsync' },
          { log: silentLogger, closeTimeoutMs: 5_000 },
        )
  await writer?.ready()
  const ingest = createIngest({ log: writer ?? store.log, clock: systemClock, bulkRows: false })
  const ids = createIdGenerator()
  const started = performance.now()
  const answer = await startSend(
    { store, ingest, clock: systemClock, ids },
    { workspaceId: WS, requestId: 'BENCHPSH' },
    CAMPAIGN,
  )
  await ingest.flushed()
  const seconds = (performance.now() - started) / 1000
  await writer?.close()
  return {
    messages: answer.messages,
    seconds: Math.round(seconds * 100) / 100,
    perSec: Math.round(answer.messages / seconds),
  }
}

function sqlite(): Promise<Run> {
  return onSqlite(
    'push',
    (db) => {
      db.prepare(SQLITE_LOAD).run(USERS, WS, T0, T0)
      db.prepare(SQLITE_DEVICES).run(WS)
    },
    (store, dir) => expand(store, dir),
    { outboxWriterThread: true },
  )
}

function postgres(): Promise<Run | undefined> {
  return onPostgres(
    async (client) => {
      await client.query(POSTGRES_LOAD, [WS, T0, USERS])
      await client.query(POSTGRES_DEVICES, [WS])
      await client.query('VACUUM (ANALYZE) users, devices')
    },
    (store) => expand(store),
  )
}

const results: [string, Run][] = []
if (STORES.includes('sqlite')) results.push(['SQLite', await sqlite()])
if (STORES.includes('postgres')) {
  const run = await postgres()
  if (run !== undefined) results.push(['PostgreSQL', run])
}
const [load1] = loadavg()
console.log(
  `\nOn ${cpus().length} CPUs, load average ${load1?.toFixed(1)} at the end. ${USERS.toLocaleString('en')} users, one Android device each, All Users on ANDROID:\n`,
)
console.log('| Store | messages | seconds | messages/s |')
console.log('| --- | --- | --- | --- |')
for (const [store, r] of results) {
  console.log(
    `| ${store} | ${r.messages.toLocaleString('en')} | ${r.seconds} | ${r.perSec.toLocaleString('en')} |`,
  )
}
for (const [store, r] of results) {
  console.log(
    `- ${r.perSec >= GOAL_PER_SEC ? 'met' : 'NOT met'}: ${store}: an All Users push expanded at ≥ ${GOAL_PER_SEC.toLocaleString('en')} messages/s — ${r.perSec.toLocaleString('en')}`,
  )
}
