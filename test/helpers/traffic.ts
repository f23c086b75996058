/**
 * Traffic for the stress tests (test/stress/): concurrent clients that send a mix of Track User,
 * Create Event and Bulk Import requests to a real server until told to stop or until the server is
 * gone, remembering for every request what it should have stored and whether it was acknowledged;
 * and the check, on the stopped server's store (SQLite or PostgreSQL), that every acknowledged
 * request was applied exactly once and every other one either wholly or not at all.
 */
import assert from 'node:assert/strict'
import { openStore } from '../../src/store/open-store.js'
import type { Store } from '../../src/store/store.js'
import type { RunningServer } from './server.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'

export const TRAFFIC_EVENT = 'Stress Probe'

/** One request and what it should leave behind: users with a counter, events per user. */
export type Shot = {
  kind: 'user' | 'event' | 'bulk'
  /** The user(s) it names: a fresh customer id each, so its effect can be found alone. */
  customerId: string
  counter: number
  /** Log records the request holds (one per user or event action). */
  records: number
  /** Events the user should have once the request is applied. */
  events: number
  status: number | 'error'
  /** False while the request is in flight. */
  settled: boolean
  requestId?: string
}

export function shotRequest(
  workspaceId: string,
  shot: Pick<Shot, 'kind' | 'customerId' | 'counter'>,
): { path: string; body: unknown } {
  const { customerId, counter } = shot
  const action = (n: number) => ({ action: TRAFFIC_EVENT, attributes: { counter, n } })
  switch (shot.kind) {
    case 'user':
      return {
        path: `/v1/customer/${workspaceId}`,
        body: { type: 'customer', customer_id: customerId, attributes: { counter } },
      }
    case 'event':
      return {
        path: `/v1/event/${workspaceId}`,
        body: { type: 'event', customer_id: customerId, actions: [action(0), action(1)] },
      }
    case 'bulk':
      // One request, four records: the user, then three events of it (spec §7.3).
      return {
        path: `/v1/transition/${workspaceId}`,
        body: {
          type: 'transition',
          elements: [
            { type: 'customer', customer_id: customerId, attributes: { counter } },
            { type: 'event', customer_id: customerId, actions: [action(0), action(1)] },
            { type: 'event', customer_id: customerId, actions: [action(2)] },
          ],
        },
      }
  }
}

const SHAPES: Record<Shot['kind'], { records: number; events: number }> = {
  user: { records: 1, events: 0 },
  event: { records: 2, events: 2 },
  bulk: { records: 4, events: 3 },
}

/** A shot not sent yet: a request of `kind` for the user `customerId`, and what it should store. */
export function newShot(kind: Shot['kind'], customerId: string, counter: number): Shot {
  return { kind, customerId, counter, ...SHAPES[kind], status: 'error', settled: false }
}

type Target = Pick<RunningServer, 'baseUrl' | 'workspaceId' | 'authorization'>

/**
 * Sends the shot's request and records the answer on it: its status, and the request id of an
 * acknowledged one; `error` when none came (refused, reset or cut: never acknowledged). Returns
 * the answer's body and headers.
 */
export async function sendShot(
  server: Target,
  shot: Shot,
  timeoutMs: number,
): Promise<{ body: unknown; headers: Headers | undefined }> {
  const { path, body } = shotRequest(server.workspaceId, shot)
  try {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: server.authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const answer = (await res.json()) as { request_id?: unknown }
    shot.status = res.status
    if (res.status === 200 && typeof answer.request_id === 'string') {
      shot.requestId = answer.request_id
    }
    return { body: answer, headers: res.headers }
  } catch {
    shot.status = 'error'
    return { body: undefined, headers: undefined }
  } finally {
    shot.settled = true
  }
}

export type Traffic = Readonly<{
  /** Every request sent so far, with its answer. */
  shots: Shot[]
  /** Requests sent and not answered yet. */
  inFlight(): number
  /** Stops the clients; resolves when every request in flight has settled. */
  stop(): Promise<void>
  /** Resolves when every client has stopped (stop() was called, or the server is gone). */
  done: Promise<void>
}>

/**
 * `clients` loops, each sending one request at a time (a fresh keep-alive-free fetch) until
 * stop() or until a request fails at the socket (the server was killed).
 */
export function startTraffic(
  server: Target,
  options: {
    clients: number
    prefix: string
    /** Called synchronously with each settled request. */
    onAnswer?: (shot: Shot) => void
    /** Stop a client at its first socket error (default true: the server is gone). */
    stopOnError?: boolean
  },
): Traffic {
  const shots: Shot[] = []
  let stopped = false
  const kinds: Shot['kind'][] = ['user', 'event', 'bulk']
  async function client(c: number): Promise<void> {
    for (let n = 0; !stopped; n++) {
      const kind = kinds[(c + n) % kinds.length] ?? 'user'
      const shot = newShot(kind, `${options.prefix}-${c}-${n}`, n)
      shots.push(shot)
      await sendShot(server, shot, 30_000)
      options.onAnswer?.(shot)
      if (shot.status === 'error' && options.stopOnError !== false) return
    }
  }
  const done = Promise.all(Array.from({ length: options.clients }, (_, c) => client(c))).then(
    () => undefined,
  )
  return {
    shots,
    done,
    inFlight: () => shots.filter((s) => !s.settled).length,
    stop: async () => {
      stopped = true
      await done
    },
  }
}

export type Verdict = Readonly<{
  acknowledged: number
  unacknowledged: number
  /** Unacknowledged requests found wholly applied (the rest left nothing). */
  unacknowledgedApplied: number
  records: number
}>

/**
 * On a stopped server's store: every acknowledged request has all its log records, none skipped
 * or dead, its user with its counter, and exactly its events (each once, with its request id); an
 * unacknowledged one has either all of that or nothing. Anything else fails the test, named.
 */
export async function verifyShots(
  where: { dataDir: string; databaseUrl?: string },
  workspaceId: string,
  shots: readonly Shot[],
  /** Statuses of a request refused whole (e.g. 503): it must have left nothing at all. */
  refusals: readonly number[] = [],
): Promise<Verdict> {
  const store = await openStore(
    { dataDir: where.dataDir, databaseUrl: where.databaseUrl, durability: 'os' },
    expandBulkRow,
  )
  try {
    const cursor = await store.processing.cursor()
    assert.equal(cursor, await store.log.lastSeq(), 'the processor has applied the whole log')
    const users = new Map<string, string>()
    const counters = new Map<string, unknown>()
    for (let i = 0; i < shots.length; i += 500) {
      const rows = await store.profiles.findUsers(workspaceId, {
        customerIds: shots.slice(i, i + 500).map((s) => s.customerId),
        ids: [],
      })
      for (const u of rows) {
        if (u.customerId === null) continue
        users.set(u.customerId, u.id)
        counters.set(u.customerId, u.attributes['counter'])
      }
    }
    let acknowledged = 0
    let unacknowledgedApplied = 0
    let records = 0
    for (const shot of shots) {
      const acked = shot.status === 200
      const refused = typeof shot.status === 'number' && refusals.includes(shot.status)
      if (acked) acknowledged++
      else assert.ok(shot.status === 'error' || refused, `${describe(shot)}: unexpected status`)
      const found = await effectOf(store, workspaceId, shot, users)
      const what = `${describe(shot)}: ${JSON.stringify(found)}`
      const whole =
        found.user &&
        found.events === shot.events &&
        found.eventRequestIdsMatch &&
        (shot.kind !== 'user' || counters.get(shot.customerId) === shot.counter) &&
        (shot.kind !== 'bulk' || counters.get(shot.customerId) === shot.counter)
      const nothing = !found.user && found.events === 0
      if (acked) {
        assert.ok(whole, `acknowledged and not applied exactly once: ${what}`)
        assert.equal(found.logRecords, shot.records, `all records of ${what}`)
        assert.equal(found.notApplied, 0, `no record skipped or dead: ${what}`)
        records += shot.records
      } else if (refused) {
        assert.ok(nothing, `refused with ${String(shot.status)} and yet applied: ${what}`)
      } else {
        assert.ok(whole || nothing, `unacknowledged and half-applied: ${what}`)
        if (whole) unacknowledgedApplied++
      }
    }
    return {
      acknowledged,
      unacknowledged: shots.length - acknowledged,
      unacknowledgedApplied,
      records,
    }
  } finally {
    await store.close()
  }
}

function describe(shot: Shot): string {
  return `${shot.kind} ${shot.customerId} (status ${shot.status}, request ${shot.requestId ?? '-'})`
}

async function effectOf(
  store: Store,
  workspaceId: string,
  shot: Shot,
  users: ReadonlyMap<string, string>,
): Promise<{
  user: boolean
  events: number
  eventRequestIdsMatch: boolean
  logRecords: number
  notApplied: number
}> {
  const userId = users.get(shot.customerId)
  const events =
    userId === undefined ? [] : await store.profiles.eventsOfUser(workspaceId, userId, 100)
  const requestIds = new Set(events.map((e) => e.requestId))
  const seqs = new Set(events.map((e) => e.seq))
  let logRecords = 0
  let notApplied = 0
  if (shot.requestId !== undefined) {
    logRecords = (await store.log.recordsOfRequest(workspaceId, shot.requestId)).length
    notApplied = (await store.profiles.outcomesOfRequest(workspaceId, shot.requestId)).filter(
      (o) => o.outcome !== 'applied',
    ).length
  }
  return {
    user: userId !== undefined,
    events: events.length,
    eventRequestIdsMatch:
      seqs.size === events.length &&
      requestIds.size <= 1 &&
      (shot.requestId === undefined || events.every((e) => e.requestId === shot.requestId)) &&
      events.every((e) => e.name === TRAFFIC_EVENT && e.attributes['counter'] === shot.counter),
    logRecords,
    notApplied,
  }
}
