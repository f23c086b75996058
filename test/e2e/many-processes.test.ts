/**
 * Many processes on one PostgreSQL (issue 7's acceptance): two `inlet serve --role api` processes
 * and two `--role processor` processes share one database. Updates and events for the same users
 * are sent to both API processes, interleaved (each user's requests one after another, alternating
 * between the two; many users at once). Half-way through, the processor holding the lease is
 * SIGKILLed. In the end every accepted record was applied exactly once (one log record and one
 * `applied` outcome per request, one stored event per event request, the cursor at the end of the
 * log), the other processor took over, and each user's attributes are those of the last update
 * accepted for it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { queryRows } from '../helpers/pg-query.js'
import { startPostgres } from '../helpers/postgres.js'
import {
  inBatches,
  startServer,
  waitForNoLag,
  type ApiResponse,
  type RunningServer,
} from '../helpers/server.js'

const postgres = await startPostgres()

const WORKSPACE = 'MANYPROCWS01'
const KEY = 'many-processes-key-1'
const USERS = 30
const STEPS = 14
const LEASE_MS = 1_500

type Sent = Readonly<{
  customerId: string
  step: number
  kind: 'customer' | 'event'
  via: number
  requestId: string
}>

describe(
  'two API processes and two processors on one PostgreSQL',
  {
    timeout: 300_000,
    ...(postgres === undefined ? { skip: 'no PostgreSQL binaries and no TEST_DATABASE_URL' } : {}),
  },
  () => {
    it('applies every accepted record exactly once, in order per user, across a processor kill', async (t) => {
      if (postgres === undefined) return
      const url = await postgres.freshUrl()
      const env = {
        DATABASE_URL: url,
        INLET_WORKSPACE_ID: WORKSPACE,
        INLET_DATA_API_KEY: KEY,
        INLET_RATE_LIMITS: 'off',
        INLET_LOG_LEVEL: 'warn',
        INLET_PROCESSOR_BATCH_SIZE: '20',
        INLET_PROCESSOR_POLL_MS: '20',
        INLET_PROCESSOR_LEASE_MS: String(LEASE_MS),
      }
      // The first API process migrates and creates the workspace; the rest start together.
      const api1 = await startServer(t, { env, args: ['--role', 'api'] })
      const [api2, proc1, proc2] = await Promise.all([
        startServer(t, { env, args: ['--role', 'api'] }),
        startServer(t, { env, args: ['--role', 'processor'] }),
        startServer(t, { env, args: ['--role', 'processor'] }),
      ])
      const apis = [api1, api2]
      const processors = [proc1, proc2]

      // An API process runs no processor; a processor serves /healthz and none of the Data API.
      const apiHealth = (await (await fetch(`${api1.baseUrl}/healthz`)).json()) as {
        role: string
        processor: { enabled: boolean }
      }
      assert.deepEqual([apiHealth.role, apiHealth.processor.enabled], ['api', false])
      const health = (await (await fetch(`${proc1.baseUrl}/healthz`)).json()) as { role: string }
      assert.equal(health.role, 'processor')
      const notServed = await fetch(`${proc1.baseUrl}/v1/customer/${WORKSPACE}`, {
        method: 'POST',
        headers: { authorization: api1.authorization, 'content-type': 'application/json' },
        body: '{}',
      })
      assert.equal(notServed.status, 404)

      const total = USERS * STEPS
      let acknowledged = 0
      let killed: RunningServer | undefined
      let killedAt = 0
      /** Kills the processor that holds the lease (its pid is part of the lease owner). */
      async function killLeaseHolder(): Promise<void> {
        const [lease] = await queryRows(url, 'SELECT owner FROM processor_leases')
        const pid = Number(String(lease?.['owner']).split(':')[1])
        const holder = processors.find((p) => p.process.pid === pid)
        assert.ok(holder !== undefined, `a processor holds the lease: ${JSON.stringify(lease)}`)
        holder.kill('SIGKILL')
        killed = holder
      }

      const send = async (server: RunningServer, path: string, body: unknown): Promise<string> => {
        const res: ApiResponse = await server.post(path, body)
        const requestId = (res.body as { request_id?: unknown }).request_id
        assert.equal(res.status, 200, JSON.stringify(res.body))
        assert.equal(typeof requestId, 'string')
        return String(requestId)
      }

      // Each user's steps in order (the next is sent once the previous is acknowledged), through
      // alternating API processes; all users at once.
      const perUser = await Promise.all(
        Array.from({ length: USERS }, async (_, u): Promise<Sent[]> => {
          const customerId = `user-${u}`
          const sent: Sent[] = []
          for (let step = 0; step < STEPS; step++) {
            const via = (u + step) % 2
            const server = apis[via] as RunningServer // two API processes: index 0 or 1
            const kind = step % 3 === 2 ? 'event' : 'customer'
            const requestId =
              kind === 'customer'
                ? await send(server, `/v1/customer/${WORKSPACE}`, {
                    type: 'customer',
                    customer_id: customerId,
                    attributes: { step, via: `api${via + 1}`, [`seen_${step}`]: true },
                  })
                : await send(server, `/v1/event/${WORKSPACE}`, {
                    type: 'event',
                    customer_id: customerId,
                    actions: [{ action: 'Step', attributes: { step } }],
                  })
            sent.push({ customerId, step, kind, via, requestId })
            if (++acknowledged === Math.floor(total / 2)) {
              killedAt = acknowledged
              await killLeaseHolder()
            }
          }
          return sent
        }),
      )
      const sent = perUser.flat()
      assert.equal(sent.length, total)
      assert.ok(killed !== undefined && killedAt > 0, 'a processor was killed half-way')
      const exit = await killed.waitForExit()
      assert.equal(exit.signal, 'SIGKILL')
      const survivor = processors.find((p) => p !== killed) as RunningServer // the other one

      await waitForNoLag(api1, 120_000)
      await waitForNoLag(api2, 120_000)

      // The survivor took over and applied records after the kill.
      const survivorHealth = (await (await fetch(`${survivor.baseUrl}/healthz`)).json()) as {
        processor: { applied: number }
      }
      assert.ok(survivorHealth.processor.applied > 0, JSON.stringify(survivorHealth))

      // Exactly once: one log record per request, the cursor at its end, one event per event
      // request and none other, one `applied` outcome per request (the inspector).
      const [log] = await queryRows(
        url,
        `SELECT count(*)::int AS records, count(DISTINCT request_id)::int AS requests,
           max(seq)::int AS last FROM log`,
      )
      assert.deepEqual(log, { records: total, requests: total, last: total })
      const [cursor] = await queryRows(url, 'SELECT value::int AS value FROM processor_state')
      assert.equal(cursor?.['value'], total)
      const events = await queryRows(
        url,
        `SELECT request_id, count(*)::int AS n FROM events WHERE name = 'Step' GROUP BY request_id`,
      )
      const eventRequests = sent.filter((s) => s.kind === 'event')
      assert.equal(events.length, eventRequests.length)
      assert.ok(
        events.every((e) => e['n'] === 1),
        'one stored event per event request',
      )
      assert.deepEqual(
        new Set(events.map((e) => e['request_id'])),
        new Set(eventRequests.map((s) => s.requestId)),
      )
      await inBatches(sent, 16, async (s) => {
        const report = await (apis[s.via] as RunningServer).inspect(s.requestId)
        assert.deepEqual(
          report.summary,
          { pending: 0, applied: 1, skipped: 0, dead: 0 },
          `${s.customerId} step ${s.step}: ${JSON.stringify(report)}`,
        )
      })

      // In order per user: the final attributes are the last accepted update's, through either
      // API process; every update left its mark.
      for (const api of apis) {
        const users = await api.getUsers(perUser.map((list) => list[0]?.customerId ?? ''))
        for (const list of perUser) {
          const last = list.filter((s) => s.kind === 'customer').at(-1)
          assert.ok(last !== undefined)
          const user = users.get(last.customerId)
          assert.ok(user !== undefined, `${last.customerId} exists`)
          assert.equal(user['step'], last.step, `${last.customerId}'s last update wins`)
          assert.equal(user['via'], `api${last.via + 1}`)
          for (const s of list.filter((x) => x.kind === 'customer')) {
            assert.equal(user[`seen_${s.step}`], true, `${s.customerId} step ${s.step} applied`)
          }
        }
      }
    })
  },
)
