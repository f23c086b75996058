/**
 * Workspace isolation and authentication (issue 8 §5), in-process through `app.inject()`:
 * - the walk: every route the app serves (read from Fastify's route table, so a new route fails
 *   this test until it is walked) is tried with workspace A's key against workspace B — B's id in
 *   the path, in `?app_id=`, in `MOE-APPKEY`, as the Basic user, B's user ids, request ids and
 *   merge ids in bodies and paths — and none of it reads or changes anything of B;
 * - every key and token comparison is timingSafeEqual on two SHA-256 digests, whatever the guess,
 *   and a key is compared with the current and the previous key whichever matches — Data keys,
 *   feature keys (Basic auth with a Push key) and Push signatures alike;
 * - failed authentications are limited per source address (429 auth_rate_limited);
 * - the admin API exists only when INLET_ADMIN_TOKEN is set.
 * That keys never reach the log is checked on a real process in test/security/log-secrets.test.ts.
 */
import { assertLeaksNone, type Attack } from './walk.js'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { timingSafeEqual } from 'node:crypto'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { describe, it, type TestContext } from 'node:test'
import Fastify, { type InjectOptions, type LightMyRequestResponse } from 'fastify'
import { createSequentialIds } from '../../src/core/ids.js'
import { silentLogger } from '../../src/core/log.js'
import { installAuth } from '../../src/http/auth-hooks.js'
import { PUSH_V2_AUTH, pushSignature, type AuthVariant } from '../../src/http/auth.js'
import { installErrorHandling } from '../../src/http/error-handler.js'
import { WORKSPACE_CACHE_TTL_MS, keyAccepted } from '../../src/http/gateway.js'
import { installJsonBodyParser } from '../../src/http/json-body.js'
import { adminTokenMatches } from '../../src/families/admin/admin.js'
import type { Store } from '../../src/store/store.js'
import { createFeatureKeys } from '../../src/workspaces/feature-keys.js'
import { createInformAlerts } from '../../src/workspaces/inform-alerts.js'
import { createLiveActivityCampaigns } from '../../src/workspaces/live-activity-campaigns.js'
import { createFileImports } from '../../src/workspaces/file-imports.js'
import { createCardCampaigns, parseCardCampaignInput } from '../../src/workspaces/card-campaigns.js'
import { sendCardCampaign } from '../../src/inbox/card-sends.js'
import { hashKey, verifyKey } from '../../src/workspaces/keys.js'
import { createSecretBox } from '../../src/workspaces/secret-box.js'
import { createWorkspaces } from '../../src/workspaces/workspaces.js'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp, type TestApp } from '../helpers/app.js'
import { servedRoutes } from '../helpers/routes.js'
import { consentAttacks } from './consent-walk.js'
import { dashboardAttacks } from './dashboard-walk.js'
import { segmentAttacks } from './segments-walk.js'
import { informAttacks } from './inform-walk.js'
import { liveActivityAttacks } from './live-activities-walk.js'
import { fileImportAttacks } from './file-imports-walk.js'
import { cardsAttacks } from './cards-walk.js'

const A = WORKSPACE_ID
const B = 'WORKSPACEBBBBBBBBBB2'
const B_KEY = 'data-api-key-of-workspace-b'
const ADMIN_TOKEN = 'isolation-admin-token-123'
const B_PUSH_KEY = 'push-api-key-of-workspace-b'
const A_INFORM_KEY = 'inform-api-key-of-workspace-a'
const B_INFORM_KEY = 'inform-api-key-of-workspace-b'
const A_PUSH_KEY = 'push-api-key-of-workspace-a'
const B_CAMPAIGN = { id: 'b-campaign', name: 'B Secret Campaign', instanceId: 'b-instance' }
const B_IMPORT = { id: 'b-import', name: 'B Secret Import' }
const A_REPORTS_KEY = 'reports-api-key-of-workspace-a'
const B_CARDS = { id: 'b-cards', name: 'B Secret Cards' }
const B_ALERT = { alertId: 'b-alert', testAlertId: 'b-test-alert', referenceName: 'B Secret Alert' }
/** The app's server secret: the keys seeded straight into the store are sealed under it. */
const SERVER_SECRET = 'isolation-test-server-secret-0123456'
const TEST_SECRETS = createSecretBox(() => Buffer.from(SERVER_SECRET))

const asA = { authorization: basicAuth(A, API_KEY), 'content-type': 'application/json' }
const asB = { authorization: basicAuth(B, B_KEY), 'content-type': 'application/json' }

type Seeded = {
  bUserId: string
  bSegment: { id: string; name: string }
  bCohort: { id: string; name: string }
  bRequestIds: string[]
  bMergeId: number
  /** The second B's Inform message was sent (Message Archival looks it up by it). */
  bSentSeconds: number
  snapshot: () => Promise<string>
}

/** Workspace B with a user, an event, a device and a merge, all sent with B's own key. */
async function seedB(t: TestContext, app: TestApp): Promise<Seeded> {
  await createWorkspaces({ store: app.store, clock: app.clock, ids: createSequentialIds() }).create(
    {
      id: B,
      key: B_KEY,
      name: 'Workspace B',
    },
  )
  // B's Push key: the admin API's key routes are walked with A's key too.
  await createFeatureKeys({
    store: app.store,
    clock: app.clock,
    ids: createSequentialIds(),
    secrets: TEST_SECRETS,
  }).create(B, 'push', { key: B_PUSH_KEY })
  const requestIds: string[] = []
  const send = async (url: string, body: unknown): Promise<void> => {
    const res = await app.app.inject({ method: 'POST', url, headers: asB, payload: body as object })
    assert.equal(res.statusCode, 200, `seeding B: ${url} ${res.body}`)
    requestIds.push(res.json<{ request_id: string }>().request_id)
  }
  await send(`/v1/customer/${B}`, {
    type: 'customer',
    customer_id: 'b-user',
    attributes: { secret_of_b: 'only-b-may-read-this', email: 'b@example.com' },
  })
  await send(`/v1/customer/${B}`, { type: 'customer', customer_id: 'b-old' })
  await send(`/v1/event/${B}`, {
    type: 'event',
    customer_id: 'b-user',
    actions: [{ action: 'B Event', attributes: { x: 1 } }],
  })
  await send(`/v1/device/${B}`, {
    type: 'device',
    customer_id: 'b-user',
    device_id: 'b-device',
    attributes: { platform: 'ANDROID', push_id: 'b-push' },
  })
  // A refusal of B's (400: no user named): B's count of refused records, which must not change.
  const refused = await app.app.inject({
    method: 'POST',
    url: `/v1/event/${B}`,
    headers: asB,
    payload: { type: 'event', actions: [{ action: 'B Refused' }] },
  })
  assert.equal(refused.statusCode, 400, `seeding B: ${refused.body}`)
  await app.drain()
  await send(`/v1/customer/merge?app_id=${B}`, {
    merge_data: [{ merged_user: 'b-old', retained_user: 'b-user' }],
  })
  await app.drain()
  const mergeRecord = (await app.store.log.recordsOfRequest(B, requestIds.at(-1) ?? ''))[0]
  assert.ok(mergeRecord !== undefined, 'the merge is logged')
  const [user] = await app.store.profiles.findUsers(B, { customerIds: ['b-user'], ids: [] })
  assert.ok(user !== undefined, 'B has its user')
  // B's subscription category and its user's choice (families/consent).
  await app.store.consent.putCategory({
    workspaceId: B,
    name: 'B Secret Category',
    description: 'only-b-may-read-this',
    active: true,
    createdAt: app.clock.now(),
    updatedAt: app.clock.now(),
  })
  await app.store.consent.update([
    {
      workspaceId: B,
      userId: user.id,
      channel: 'email',
      at: app.clock.now(),
      optInStatus: 'DOUBLE_OPTED_IN',
      categories: { 'B Secret Category': true },
    },
  ])
  // B's segment (families/segments): its name and filters are B's alone.
  const bSegment = { id: '6388a97a02adb9071ca8bbbb', name: 'B Secret Segment' }
  const made = await app.store.customSegments.create(
    {
      workspaceId: B,
      ...bSegment,
      type: 'ELASTIC_SEARCH',
      source: 'API',
      includedFilters: JSON.stringify({
        filter_operator: 'and',
        filters: [
          {
            filter_type: 'user_attributes',
            name: 'secret_of_b',
            data_type: 'string',
            operator: 'is',
            value: 'only-b-may-read-this',
          },
        ],
      }),
      definitionHash: 'b-definition',
      description: 'secret_of_b  is only-b-may-read-this  (case insensitive)',
      createdAt: app.clock.now(),
      updatedAt: app.clock.now(),
      updatedBy: null,
      archivedAt: null,
    },
    1_000,
  )
  assert.equal(made.kind, 'created')
  // B's cohort (a list segment: families/segments, Cohort Sync), b-user its member.
  const bCohort = { id: '6388a97a02adb9071ca8cccc', name: 'B Secret Cohort' }
  const cohort = await app.store.customSegments.create(
    {
      workspaceId: B,
      ...bCohort,
      type: 'COHORT',
      source: 'COHORT_SYNC',
      includedFilters: 'null',
      definitionHash: `list:${bCohort.id}`,
      description: 'only-b-may-read-this',
      createdAt: app.clock.now(),
      updatedAt: app.clock.now(),
      updatedBy: null,
      archivedAt: null,
    },
    1_000,
  )
  assert.equal(cohort.kind, 'created')
  await app.store.segmentLists.put({
    workspaceId: B,
    segmentId: bCohort.id,
    kind: 'cohort',
    partner: 'b-partner',
    externalId: 'b-cohort',
    expiresAt: null,
  })
  assert.equal(await app.store.segmentLists.addMembers(B, bCohort.id, [user.id], 1), 1)
  // B's Inform alert, key and one message it sent (families/inform, the outbox), and A's key.
  const keys = createFeatureKeys({
    store: app.store,
    clock: app.clock,
    ids: createSequentialIds(),
    secrets: TEST_SECRETS,
  })
  await keys.create(B, 'inform', { key: B_INFORM_KEY })
  await keys.create(A, 'inform', { key: A_INFORM_KEY })
  await createInformAlerts({ store: app.store, clock: app.clock, ids: createSequentialIds() }).put(
    B,
    {
      alertId: B_ALERT.alertId,
      testAlertId: B_ALERT.testAlertId,
      referenceName: B_ALERT.referenceName,
      definition: {
        channels: { SMS: { enabled: true, body: 'only-b-may-read-this', senders: [] } },
      },
    },
  )
  const sent = await app.app.inject({
    method: 'POST',
    url: '/v1.0/alerts/send',
    headers: {
      authorization: basicAuth(B, B_INFORM_KEY),
      'moe-appkey': B,
      'content-type': 'application/json',
    },
    payload: JSON.stringify({
      alert_id: B_ALERT.alertId,
      user_id: 'b-user',
      transaction_id: 'b-transaction',
      payloads: { SMS: { recipient: '+15550000001' } },
    }),
  })
  assert.equal(sent.statusCode, 200, sent.body)
  // B's live-activity campaign and a started instance of it (families/live-activities), A's key.
  await keys.create(A, 'push', { key: A_PUSH_KEY })
  await createLiveActivityCampaigns({
    store: app.store,
    clock: app.clock,
    ids: createSequentialIds(),
  }).put(B, {
    campaignId: B_CAMPAIGN.id,
    name: B_CAMPAIGN.name,
    definition: { attribute_type: null, ios_auth: 'p8', max_instances: 10 },
  })
  // B's file import (families/file-imports), never run.
  await createFileImports({ store: app.store, clock: app.clock, ids: createSequentialIds() }).put(
    B,
    {
      importId: B_IMPORT.id,
      name: B_IMPORT.name,
      definition: {
        source: 'https://files.example.com/b.csv',
        type: 'users',
        format: 'csv',
        schedule: { type: 'PERIODIC', daily_at: '23:59' },
      },
    },
  )
  const started = await app.app.inject({
    method: 'POST',
    url: '/v1.0/live-activity/broadcast/start',
    headers: {
      authorization: basicAuth(B, B_PUSH_KEY),
      'x-moe-appkey': B,
      'content-type': 'application/json',
    },
    payload: JSON.stringify({
      broadcast_live_activity_id: B_CAMPAIGN.id,
      instance_id: B_CAMPAIGN.instanceId,
      ios: {
        attribute_type: 'LiveActivityAttributes',
        attribute_info: { secret: 'only-b-may-read-this' },
        content_state: { score: '1' },
        alert: { title: 'B', body: 'only-b-may-read-this' },
      },
    }),
  })
  assert.equal(started.statusCode, 200, started.body)
  // B's card campaign sent to b-user (families/cards), and A's reports key.
  await keys.create(A, 'reports', { key: A_REPORTS_KEY })
  await createCardCampaigns({ store: app.store, clock: app.clock, ids: createSequentialIds() }).put(
    B,
    parseCardCampaignInput({
      campaign_id: B_CARDS.id,
      name: B_CARDS.name,
      platforms: ['ANDROID'],
      audience: { type: 'users', customer_ids: ['b-user'] },
      template: { title: 'only-b-may-read-this', message: 'B card' },
    }),
  )
  const cards = await sendCardCampaign(
    { store: app.store, ingest: app.ingest, clock: app.clock, ids: createSequentialIds() },
    { workspaceId: B, requestId: 'b-cards-request' },
    B_CARDS.id,
  )
  assert.equal(cards?.recorded, 1)
  const bSentSeconds = Math.floor(app.clock.now() / 1000)
  await app.drain()
  void t
  return {
    bSentSeconds,
    bUserId: user.id,
    bSegment,
    bCohort,
    bRequestIds: requestIds,
    bMergeId: mergeRecord.seq,
    // The refusals this process holds are written first: those of B's must not change either.
    snapshot: async () => {
      await app.refusals.flush()
      return snapshotOf(app.store)
    },
  }
}

/** Everything of workspace B the store holds, as one string (compared before and after). */
async function snapshotOf(store: Store): Promise<string> {
  const users = await store.profiles.findUsers(B, { customerIds: ['b-user', 'b-old'], ids: [] })
  const parts: unknown[] = [await store.workspaces.get(B), await store.keys.list(B)]
  parts.push(await store.consent.categories(B))
  parts.push(await store.customSegments.list(B))
  for (const list of await store.segmentLists.list(B)) {
    parts.push(list, await store.segmentLists.memberCount(B, list.segmentId))
  }
  parts.push(await store.segmentLists.latestJobs(B))
  parts.push(await store.alerts.list(B), await store.outbox.list(B, {}, 100))
  parts.push(
    await store.liveActivities.campaigns(B),
    await store.liveActivities.instances(B, B_CAMPAIGN.id, 100),
    await store.fileImports.imports(B),
    await store.fileImports.recentRuns(B, 100),
    await store.cards.campaigns(B),
  )
  for (const u of users.sort((x, y) => x.id.localeCompare(y.id))) {
    parts.push(u, await store.profiles.eventsOfUser(B, u.id, 100))
    parts.push(await store.profiles.devicesOfUser(B, u.id))
    parts.push(await store.consent.subscriptionsOf(B, [u.id]))
    parts.push(await store.cards.ofUser(B, u.id))
  }
  const log = await store.log.readAfter(0, 100_000)
  parts.push(log.filter((r) => r.workspaceId === B))
  parts.push(await store.refusals.since(B, 0))
  return JSON.stringify(parts)
}

const failsWith =
  (status: number, type?: string) =>
  (res: LightMyRequestResponse): void => {
    assert.equal(res.statusCode, status, res.body)
    const body = res.json<{ status: string; error: { type: string } }>()
    assert.equal(body.status, 'fail', res.body)
    if (type !== undefined) assert.equal(body.error.type, type, res.body)
  }

/** A 200 (or a documented failure) whose body names nothing of B. */
const leaksNothing = (res: LightMyRequestResponse): void => {
  assert.ok(res.statusCode < 500, res.body)
  assertLeaksNone(res, [
    'only-b-may-read-this',
    'b@example.com',
    'b-device',
    'b-push',
    B_KEY,
    B_PUSH_KEY,
  ])
}

/** A 200 `success` that names nothing of B: the body was valid and reached the store. */
const succeeds = (res: LightMyRequestResponse): void => {
  assert.equal(res.statusCode, 200, res.body)
  assert.equal(res.json<{ status: string }>().status, 'success', res.body)
  leaksNothing(res)
}

/**
 * The ways A's key can be aimed at B on one Data API route (POST, id in path or query); `own` is
 * what A's own request with that body answers.
 */
function dataRouteAttacks(
  route: string,
  body: unknown,
  own: (res: LightMyRequestResponse) => void,
): Attack[] {
  const url = (ws: string): string =>
    route.includes(':id') ? route.replace(':id', ws) : `${route}?app_id=${ws}`
  const post = (u: string, headers: Record<string, string>): InjectOptions => ({
    method: 'POST',
    url: u,
    headers,
    payload: JSON.stringify(body),
  })
  const attacks: Attack[] = [
    { name: 'B in the path or app_id', request: post(url(B), asA), expect: failsWith(409) },
    {
      name: 'B as the Basic user with A key',
      request: post(url(B), { ...asA, authorization: basicAuth(B, API_KEY) }),
      expect: failsWith(401),
    },
    {
      name: 'A in the path, B as the Basic user with A key',
      request: post(url(A), { ...asA, authorization: basicAuth(B, API_KEY) }),
      expect: failsWith(401),
    },
    {
      name: 'MOE-APPKEY B',
      request: post(url(A), { ...asA, 'moe-appkey': B }),
      expect: failsWith(401),
    },
    { name: 'own workspace, B data in the body', request: post(url(A), asA), expect: own },
  ]
  if (route.includes(':id')) {
    attacks.push({
      name: 'A in the path, B in app_id',
      request: post(`${url(A)}?app_id=${B}`, asA),
      expect: failsWith(409),
    })
  }
  return attacks
}

describe('workspace isolation: every route with A’s key against B', () => {
  it('walks every served route and changes or reveals nothing of B', async (t) => {
    const app = await createTestApp(t, {
      INLET_ADMIN_TOKEN: ADMIN_TOKEN,
      INLET_RATE_LIMITS: 'off',
      // B's Push key is opened to verify a v2.1 signature: it must be sealed under this secret.
      INLET_SECRET_KEY: SERVER_SECRET,
    })
    const seeded = await seedB(t, app)
    const before = await seeded.snapshot()
    const bReq = seeded.bRequestIds[0] ?? ''
    const idB = { identifier_type: 'id', identifier: seeded.bUserId }
    const cidB = { identifier_type: 'customer_id', identifier: 'b-user' }

    /** Bodies that name B's users and devices: valid, so they reach the store. */
    const bodies: Record<string, unknown> = {
      '/v1/customer/:id': {
        type: 'customer',
        customer_id: 'b-user',
        attributes: { secret_of_b: 'overwritten-by-a' },
      },
      '/v1/event/:id': { type: 'event', customer_id: 'b-user', actions: [{ action: 'A Event' }] },
      '/v1/device/:id': {
        type: 'device',
        customer_id: 'b-user',
        device_id: 'b-device',
        attributes: { platform: 'ANDROID', push_id: 'hijacked' },
      },
      '/v1/transition': {
        type: 'transition',
        elements: [{ type: 'customer', customer_id: 'b-user', attributes: { x: 'a' } }],
      },
      '/v1/transition/:id': {
        type: 'transition',
        elements: [{ type: 'event', customer_id: 'b-user', actions: [{ action: 'A' }] }],
      },
      '/v1/customers/export': { data: { identifiers: [cidB, idB] } },
      '/v1/customer/merge': { merge_data: [{ merged_user: 'b-user', retained_user: 'b-old' }] },
      '/v1/customer/delete': { identity_type: 'customer_id', identity_value: 'b-user' },
      '/v1/customer/delete/bulk': { identity_type: 'id', identity_value: seeded.bUserId },
      // spec §7.5: blocks A's device of that id (A's Track Device above gives A's b-user one).
      '/v1/devices/manage': {
        user_identifier_type: 'customer_id',
        user_identifier_value: 'b-user',
        action_type: 'block',
        device_identifiers: [{ unique_id: 'b-device' }],
        reason: 'blocked-by-a',
      },
      // spec §7.12: an erasure naming B's email (A has no user with it: A's own users stay).
      '/v1/opengdpr_requests/:id': {
        request_type: 'erasure',
        submitted_time: '2026-11-01T10:00:00Z',
        identities: [{ identity_type: 'email', identity_value: 'b@example.com' }],
        api_version: '1.0',
      },
      '/v1/opengdpr_requests': {
        request_type: 'erasure',
        submitted_time: '2026-11-01T10:00:00Z',
        identities: [{ identity_type: 'email', identity_value: 'b@example.com' }],
        api_version: '1.0',
      },
    }

    /**
     * A's own request with each body is a 200, except Delete Users: its synchronous existence
     * check (spec §7.8) looks in A only, which has no user `b-user` yet (A's Track User above is
     * applied after the walk) and never has B's internal id.
     */
    const notFound = (res: LightMyRequestResponse): void => {
      failsWith(400, 'Not Found')(res)
      leaksNothing(res)
    }
    const own: Record<string, (res: LightMyRequestResponse) => void> = {
      '/v1/customer/delete': notFound,
      '/v1/customer/delete/bulk': notFound,
    }

    const walked = new Map<string, Attack[]>()
    for (const [route, body] of Object.entries(bodies)) {
      walked.set(`POST ${route}`, dataRouteAttacks(route, body, own[route] ?? succeeds))
      // Other methods on a Data API route answer 405 whoever asks, and read nothing.
      for (const method of ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'PUT'] as const) {
        walked.set(`${method} ${route}`, [
          {
            name: `${method} with A key and B id`,
            request: {
              method,
              url: route.replace(':id', B) + (route.includes(':id') ? '' : `?app_id=${B}`),
              headers: asA,
            },
            expect: (res) => {
              failsWith(405)(res)
              leaksNothing(res)
            },
          },
        ])
      }
    }
    walked.set('GET /healthz', [
      { name: 'health', request: { method: 'GET', url: '/healthz' }, expect: leaksNothing },
    ])
    // The two lookups by request id answer alike: B's id is unknown to A, app_id B conflicts with
    // A's key, and B as the Basic user with A's key is refused.
    for (const lookup of ['requests', 'gdpr'] as const) {
      walked.set(`GET /inlet/v1/${lookup}/:request_id`, [
        {
          name: 'B request id with A key',
          request: { method: 'GET', url: `/inlet/v1/${lookup}/${bReq}`, headers: asA },
          expect: failsWith(404),
        },
        {
          name: 'B request id with A key and app_id B',
          request: {
            method: 'GET',
            url: `/inlet/v1/${lookup}/${bReq}?app_id=${B}`,
            headers: asA,
          },
          expect: failsWith(409),
        },
        {
          name: 'B as the Basic user with A key',
          request: {
            method: 'GET',
            url: `/inlet/v1/${lookup}/${bReq}`,
            headers: { authorization: basicAuth(B, API_KEY) },
          },
          expect: failsWith(401),
        },
      ])
    }
    // spec §7.10: no Basic auth; B's attribution key is not A's Data API key.
    const install = (key: string): string =>
      `/v1/installInfo?appId=${B}&appAttributionKey=${encodeURIComponent(key)}&src=x` +
      '&advertising_id=b-gaid&publisher_name=hijack'
    walked.set('GET /v1/installInfo', [
      {
        name: 'B app id with A key as the attribution key',
        request: { method: 'GET', url: install(API_KEY), headers: asA },
        expect: (res) => {
          assert.ok(res.statusCode === 401 || res.statusCode === 409, res.body)
          failsWith(res.statusCode)(res)
          leaksNothing(res)
        },
      },
    ])
    for (const method of ['DELETE', 'PATCH', 'POST', 'PUT'] as const) {
      walked.set(`${method} /v1/installInfo`, [
        {
          name: `${method} on install info`,
          request: { method, url: install(API_KEY), headers: asA, payload: '{}' },
          expect: (res) => {
            failsWith(405)(res)
            leaksNothing(res)
          },
        },
      ])
    }
    walked.set('POST /inlet/v1/merges/:merge_id/undo', [
      {
        name: 'undo B merge with A key',
        request: {
          method: 'POST',
          url: `/inlet/v1/merges/${seeded.bMergeId}/undo`,
          headers: asA,
          payload: '{}',
        },
        expect: failsWith(404),
      },
      {
        name: 'undo B merge with A key, app_id B',
        request: {
          method: 'POST',
          url: `/inlet/v1/merges/${seeded.bMergeId}/undo?app_id=${B}`,
          headers: asA,
          payload: '{}',
        },
        expect: failsWith(409),
      },
    ])
    walked.set('POST /v1/integrations/authentication', [
      {
        name: 'B id with A key in the body',
        request: {
          method: 'POST',
          url: '/v1/integrations/authentication',
          headers: { 'content-type': 'application/json', 'moe-appkey': B },
          payload: JSON.stringify({ app_id: B, app_secret: API_KEY, source: 'x', region: 'x' }),
        },
        expect: (res) => {
          failsWith(401)(res)
          assert.ok(!res.body.includes('Workspace B'), `B's name leaks: ${res.body}`)
        },
      },
    ])
    // The admin API takes only the admin token: a Data API key is no way in, for A or for B.
    const adminAttempt = (method: 'GET' | 'POST', url: string): Attack => ({
      name: 'Data API key on the admin API',
      request: {
        method,
        url,
        headers: asA,
        ...(method === 'POST' ? { payload: JSON.stringify({ name: 'owned' }) } : {}),
      },
      expect: (res) => {
        failsWith(401)(res)
        leaksNothing(res)
      },
    })
    // Every admin route, `:id` B's (a feature without a key to create, one with a key otherwise).
    for (const route of [
      'GET /inlet/v1/admin/workspaces',
      'POST /inlet/v1/admin/workspaces',
      'GET /inlet/v1/admin/workspaces/:id',
      'POST /inlet/v1/admin/workspaces/:id',
      'POST /inlet/v1/admin/workspaces/:id/rotate-key',
      'GET /inlet/v1/admin/workspaces/:id/suppressions',
      'POST /inlet/v1/admin/workspaces/:id/suppressions/lift',
      'POST /inlet/v1/admin/workspaces/:id/remove-key',
      'GET /inlet/v1/admin/workspaces/:id/keys',
      'POST /inlet/v1/admin/workspaces/:id/keys/:feature',
      'POST /inlet/v1/admin/workspaces/:id/keys/:feature/rotate',
      'POST /inlet/v1/admin/workspaces/:id/keys/:feature/remove',
      'GET /inlet/v1/admin/workspaces/:id/subscription-categories',
      'POST /inlet/v1/admin/workspaces/:id/subscription-categories',
      'POST /inlet/v1/admin/workspaces/:id/subscription-categories/remove',
      'POST /inlet/v1/admin/workspaces/:id/subscription-links',
      'GET /inlet/v1/admin/workspaces/:id/inform-alerts',
      'POST /inlet/v1/admin/workspaces/:id/inform-alerts',
      'GET /inlet/v1/admin/workspaces/:id/inform-alerts/:alert_id',
      'POST /inlet/v1/admin/workspaces/:id/inform-alerts/remove',
      'GET /inlet/v1/admin/workspaces/:id/live-activities',
      'POST /inlet/v1/admin/workspaces/:id/live-activities',
      'GET /inlet/v1/admin/workspaces/:id/live-activities/:campaign_id',
      'POST /inlet/v1/admin/workspaces/:id/live-activities/remove',
      'GET /inlet/v1/admin/workspaces/:id/file-imports',
      'POST /inlet/v1/admin/workspaces/:id/file-imports',
      'GET /inlet/v1/admin/workspaces/:id/file-imports/:import_id',
      'POST /inlet/v1/admin/workspaces/:id/file-imports/:import_id',
      'POST /inlet/v1/admin/workspaces/:id/file-imports/remove',
      'GET /inlet/v1/admin/workspaces/:id/card-campaigns',
      'POST /inlet/v1/admin/workspaces/:id/card-campaigns',
      'GET /inlet/v1/admin/workspaces/:id/card-campaigns/:campaign_id',
      'POST /inlet/v1/admin/workspaces/:id/card-campaigns/remove',
      'POST /inlet/v1/admin/workspaces/:id/card-campaigns/:campaign_id/send',
      'GET /inlet/v1/admin/workspaces/:id/delivery',
      'POST /inlet/v1/admin/workspaces/:id/delivery',
    ] as const) {
      const [method, path] = route.split(' ') as ['GET' | 'POST', string]
      const feature = path.endsWith(':feature') ? 'inform' : 'push'
      const target = path.replace(':id', B).replace(':feature', feature)
      const url = target
        .replace(':alert_id', B_ALERT.alertId)
        .replace(':campaign_id', B_CAMPAIGN.id)
        .replace(':import_id', B_IMPORT.id)
      walked.set(route, [adminAttempt(method, url)])
    }
    // The dashboard: a session signed in with A's key against B (dashboard-walk.ts).
    const dashboard = await dashboardAttacks(app, {
      a: A,
      aKey: API_KEY,
      b: B,
      bUserId: seeded.bUserId,
      bRequestIds: seeded.bRequestIds,
      bMergeId: seeded.bMergeId,
      bSegmentId: seeded.bSegment.id,
      secrets: [
        'only-b-may-read-this',
        'b@example.com',
        'b-device',
        'b-push',
        'B Secret Segment',
        B_IMPORT.name,
        B_KEY,
      ],
    })
    for (const [route, list] of dashboard) walked.set(route, list)
    // The consent family: B's link (issued for B by the admin API), ids and email under A's key.
    const link = await app.app.inject({
      method: 'POST',
      url: `/inlet/v1/admin/workspaces/${B}/subscription-links`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ customer_id: 'b-user', cid: 'b-campaign' }),
    })
    assert.equal(link.statusCode, 200, link.body)
    const bLink = link.json<{ user_id: string; cid: string }>()
    const consent = consentAttacks({
      a: A,
      aKey: API_KEY,
      b: B,
      bLink,
      secrets: ['only-b-may-read-this', 'b@example.com', 'B Secret Category', B_KEY],
    })
    for (const [route, list] of consent) walked.set(route, list)
    const segments = segmentAttacks({
      a: A,
      aKey: API_KEY,
      b: B,
      bSegment: seeded.bSegment,
      bCohort: seeded.bCohort,
      bUserCustomerId: 'b-user',
      secrets: ['only-b-may-read-this', 'B Secret Segment', 'B Secret Cohort', B_KEY],
    })
    for (const [route, list] of segments) walked.set(route, list)
    // The Inform family and the outbox: B's alert under A's Inform key, B's outbox under A's key.
    const inform = informAttacks({
      a: A,
      aKey: API_KEY,
      aInformKey: A_INFORM_KEY,
      b: B,
      bAlert: B_ALERT,
      bMessage: {
        userId: 'b-user',
        transactionId: 'b-transaction',
        sentSeconds: seeded.bSentSeconds,
      },
      secrets: ['only-b-may-read-this', 'b@example.com', B_ALERT.referenceName, B_INFORM_KEY],
    })
    for (const [route, list] of inform) walked.set(route, list)
    // The Push family: a campaign for B signed with A's key (B's own Push key verifies nothing).
    for (const route of servedRoutes(app.app).filter((r) => r.includes('/transaction/'))) {
      const [method, path] = route.split(' ') as [NonNullable<InjectOptions['method']>, string]
      const campaignName = 'Walk campaign'
      const signature = createHash('sha256').update(`${B}|${campaignName}|${API_KEY}`).digest('hex')
      const body = JSON.stringify({
        appId: B,
        campaignName,
        signature,
        targetPlatform: ['ANDROID'],
        targetAudience: 'All Users',
        payload: { ANDROID: { title: 'Walk', message: 'Walk' } },
        campaignDelivery: { type: 'soon' },
      })
      walked.set(route, [
        {
          name: `${route} signed with A's key for B`,
          request: {
            method,
            url: path.replace(':other', 'other'),
            headers: {
              'content-type': 'application/json',
              'x-moe-appkey': B,
              'x-moe-pushapi-signature': signature,
              'x-moe-query-type': 'all users',
            },
            ...(method === 'GET' || method === 'OPTIONS' ? {} : { payload: body }),
          },
          expect: (res) => {
            assert.ok([200, 404, 405].includes(res.statusCode), `${res.statusCode} ${res.body}`)
            if (res.statusCode === 200) {
              assert.equal(res.json<{ status: string }>().status, 'Fail', res.body)
            }
            assert.ok(!res.body.includes('only-b-may-read-this'), res.body)
          },
        },
      ])
    }
    // Live Activities: B's campaign and instance under A's Push key.
    const liveActivities = liveActivityAttacks({
      a: A,
      aPushKey: A_PUSH_KEY,
      b: B,
      bCampaignId: B_CAMPAIGN.id,
      bInstanceId: B_CAMPAIGN.instanceId,
      secrets: ['only-b-may-read-this', B_CAMPAIGN.name, B_PUSH_KEY],
    })
    for (const [route, list] of liveActivities) walked.set(route, list)
    // File Imports: B's import by id and name under A's Data key.
    const fileImports = fileImportAttacks({
      a: A,
      aKey: API_KEY,
      b: B,
      bImportId: B_IMPORT.id,
      bImportName: B_IMPORT.name,
      secrets: ['only-b-may-read-this', B_IMPORT.name, B_KEY],
    })
    for (const [route, list] of fileImports) walked.set(route, list)
    // Cards: B's user and card campaign under A's reports key.
    const cards = cardsAttacks({
      a: A,
      aReportsKey: A_REPORTS_KEY,
      b: B,
      bCustomerId: 'b-user',
      bCampaignId: B_CARDS.id,
      secrets: ['only-b-may-read-this', B_CARDS.name],
    })
    for (const [route, list] of cards) walked.set(route, list)

    assert.deepEqual(
      servedRoutes(app.app),
      [...walked.keys()].sort(),
      'the walk covers exactly the routes the app serves',
    )
    let attacks = 0
    for (const [route, list] of walked) {
      for (const attack of list) {
        const res = await app.app.inject(attack.request)
        try {
          attack.expect(res)
        } catch (err) {
          throw new Error(`${route}: ${attack.name}: ${(err as Error).message}`, { cause: err }) // an AssertionError
        }
        attacks++
      }
    }
    await app.drain()

    assert.equal(await seeded.snapshot(), before, 'nothing of workspace B changed')
    const bImport = await app.store.fileImports.import(B, B_IMPORT.id)
    assert.equal(bImport?.lastTriggeredAt, null, "B's import was never triggered")
    assert.deepEqual(await app.store.fileImports.runs(B, B_IMPORT.id, 10), [], 'no run of B')
    // B still reads exactly its own data, and A's writes landed in A.
    const res = await app.app.inject({
      method: 'POST',
      url: `/v1/customers/export?app_id=${B}`,
      headers: asB,
      payload: JSON.stringify({
        data: { identifiers: [{ identifier_type: 'customer_id', identifier: 'b-user' }] },
      }),
    })
    const users = res.json<{ data: { users: { user_attributes: Record<string, unknown> }[] } }>()
      .data.users
    assert.equal(users[0]?.user_attributes['secret_of_b'], 'only-b-may-read-this')
    const aUser = await app.getUser('b-user')
    assert.equal(aUser?.['secret_of_b'], 'overwritten-by-a', 'A wrote to its own user of that name')
    assert.notEqual(aUser?.['id'], seeded.bUserId, 'A has its own user, not B’s')
    const [aDevice] = await app.store.profiles.devicesOfUser(A, String(aUser?.['id']))
    assert.equal(aDevice?.deviceId, 'b-device', 'A has its own device of that id')
    assert.equal(aDevice.pushId, 'hijacked')
    assert.equal(aDevice.attributes['push_blocked'], true, 'A’s opt-out blocked A’s device')
    assert.equal(aDevice.attributes['push_block_reason'], 'blocked-by-a')
    t.diagnostic(`isolation-figures {"routes":${walked.size},"attacks":${attacks}}`)
  })
})

/**
 * Every comparison of a secret goes through crypto.timingSafeEqual. This spies on it (through
 * node:crypto's CommonJS exports, synced into every ESM import of it) and records the byte
 * lengths of each call, calling through to the real function.
 */
function spyOnTimingSafeEqual(t: TestContext): () => number[][] {
  const crypto = createRequire(import.meta.url)('node:crypto') as {
    timingSafeEqual: typeof timingSafeEqual
  }
  const spy = t.mock.method(crypto, 'timingSafeEqual')
  syncBuiltinESMExports()
  t.after(() => {
    spy.mock.restore()
    syncBuiltinESMExports()
  })
  let seen = 0
  /** The lengths compared by each call since the last take. */
  return () => {
    const calls = spy.mock.calls.slice(seen)
    seen = spy.mock.calls.length
    return calls.map((c) => c.arguments.map((b) => (b as Uint8Array).byteLength))
  }
}

/** Wrong guesses of many lengths: empty, one byte, one character off, one longer, 100 times as
 * long, multi-byte. */
const guessesFor = (secret: string): string[] => [
  '',
  'x',
  `${secret.slice(0, -1)}z`,
  `${secret}x`,
  secret.repeat(100),
  'κλειδί🔑',
]

describe('credential comparison', () => {
  // Not a timing measurement: what is checked is what makes the timing independent of the guess.
  // Each check compares two SHA-256 digests (32 bytes each side, whatever the length of the guess
  // or where it differs: a length or === short-cut would show as a missing or unequal call), and
  // the number of comparisons does not depend on which key matched.
  it('verifyKey compares one pair of 32-byte digests for any guess', (t) => {
    const take = spyOnTimingSafeEqual(t)
    const stored = hashKey('the-right-key')
    for (const guess of [...guessesFor('the-right-key'), 'the-right-key']) {
      assert.equal(verifyKey(guess, stored), guess === 'the-right-key', JSON.stringify(guess))
      assert.deepEqual(take(), [[32, 32]], `one digest comparison for ${JSON.stringify(guess)}`)
    }
  })

  it('a Data API request compares the guess with the current and the previous key, whichever matches', async (t) => {
    const app = await createTestApp(t)
    const previousKey = API_KEY
    const { dataApiKey: currentKey } = await createWorkspaces({
      store: app.store,
      clock: app.clock,
      ids: createSequentialIds(),
    }).rotateKey(A, { key: 'the-current-key-1', graceSeconds: 3_600 })
    const take = spyOnTimingSafeEqual(t)
    const cases: [string, number][] = [
      [currentKey, 200],
      [previousKey, 200],
      ...guessesFor(currentKey)
        .filter((g) => g !== '') // an empty password is refused before any key is looked at
        .map((g): [string, number] => [g, 401]),
    ]
    for (const [key, status] of cases) {
      // Past the workspace cache's TTL: no digest of an accepted key is remembered, so every
      // request checks the stored keys in full.
      app.clock.advance(WORKSPACE_CACHE_TTL_MS)
      const res = await app.app.inject({
        method: 'POST',
        url: `/v1/customer/${A}`,
        headers: { ...asA, authorization: basicAuth(A, key) },
        payload: { type: 'customer', customer_id: 'u' },
      })
      assert.equal(res.statusCode, status, `${JSON.stringify(key)}: ${res.body}`)
      assert.deepEqual(
        take(),
        [
          [32, 32],
          [32, 32],
        ],
        `the current and the previous key compared for ${JSON.stringify(key)}`,
      )
    }
    // keyAccepted (Test connection) makes the same two comparisons.
    const workspace = await app.store.workspaces.get(A)
    assert.ok(workspace !== undefined)
    for (const key of [currentKey, previousKey, ...guessesFor(currentKey)]) {
      const accepted = keyAccepted(key, workspace, app.clock.now())
      assert.equal(accepted, key === currentKey || key === previousKey, JSON.stringify(key))
      assert.equal(take().filter(([a, b]) => a === 32 && b === 32).length, 2, JSON.stringify(key))
    }
  })

  it('a feature key and a Push signature are compared with the current and the previous key, whichever matches', async (t) => {
    const app = await createTestApp(t)
    // A test family behind each variant: Basic with the Push key, and Push's body signature.
    const server = Fastify({ logger: false })
    server.decorateRequest('workspace', null)
    installJsonBodyParser(server)
    installErrorHandling(server, silentLogger)
    const deps = {
      store: app.store,
      clock: app.clock,
      secrets: TEST_SECRETS,
      isClosing: () => false,
    }
    const pushBasic: AuthVariant = {
      scheme: 'basic',
      feature: 'push',
      appKey: 'optional',
      appKeyHeader: 'MOE-APPKEY',
      workspaceFrom: 'basic-user',
      contentType: 'json',
    }
    for (const [prefix, variant] of [
      ['/basic', pushBasic],
      ['/signed', PUSH_V2_AUTH],
    ] as const) {
      await server.register(
        (scope, _opts, done) => {
          installAuth(scope, deps, variant)
          scope.post('/send', () => ({ status: 'success' }))
          done()
        },
        { prefix },
      )
    }
    await server.ready()
    t.after(() => server.close())
    const keys = createFeatureKeys({ ...deps, ids: createSequentialIds() })
    const { apiKey: previousKey } = await keys.create(A, 'push', { key: 'the-previous-push-key' })
    const { apiKey: currentKey } = await keys.rotate(A, 'push', { graceSeconds: 3_600 })
    const take = spyOnTimingSafeEqual(t)
    const twoDigests = [
      [32, 32],
      [32, 32],
    ]
    const basicCases: [string, number][] = [
      [currentKey, 200],
      [previousKey, 200],
      [API_KEY, 401], // the Data key is no Push key
      ...guessesFor(currentKey)
        .filter((g) => g !== '')
        .map((g): [string, number] => [g, 401]),
    ]
    for (const [key, status] of basicCases) {
      const res = await server.inject({
        method: 'POST',
        url: '/basic/send',
        headers: { authorization: basicAuth(A, key), 'content-type': 'application/json' },
        payload: '{}',
      })
      assert.equal(res.statusCode, status, `${JSON.stringify(key)}: ${res.body}`)
      assert.deepEqual(take(), twoDigests, `Push key ${JSON.stringify(key)}`)
    }
    const campaign = 'Winter sale'
    const current = pushSignature(A, campaign, currentKey)
    const signatureCases: [string, number][] = [
      [current, 200],
      [pushSignature(A, campaign, previousKey), 200],
      [current.toUpperCase(), 200],
      [pushSignature(A, 'Another campaign', currentKey), 401],
      [pushSignature(A, campaign, API_KEY), 401],
      ...guessesFor(current)
        .filter((g) => g !== '') // an empty signature is refused before any key is looked at
        .map((g): [string, number] => [g, 401]),
    ]
    for (const [signature, status] of signatureCases) {
      const res = await server.inject({
        method: 'POST',
        url: '/signed/send',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ appId: A, campaignName: campaign, signature }),
      })
      assert.equal(res.statusCode, status, `${JSON.stringify(signature)}: ${res.body}`)
      assert.deepEqual(take(), twoDigests, `signature ${JSON.stringify(signature)}`)
    }
  })

  it('the admin token and the attribution key are compared as 32-byte digests for any guess', async (t) => {
    const take = spyOnTimingSafeEqual(t)
    for (const guess of [...guessesFor(ADMIN_TOKEN), ADMIN_TOKEN]) {
      const matches = adminTokenMatches(`Bearer ${guess}`, ADMIN_TOKEN)
      assert.equal(matches, guess === ADMIN_TOKEN, JSON.stringify(guess))
      assert.deepEqual(take(), [[32, 32]], `admin token ${JSON.stringify(guess)}`)
    }
    const app = await createTestApp(t)
    const ws = await app.store.workspaces.get(A)
    assert.ok(ws !== undefined)
    const attributionKey = 'the-attribution-key'
    await app.store.workspaces.update(A, {
      settings: { ...ws.settings, attributionKey },
      updatedAt: app.clock.now(),
    })
    take()
    for (const guess of [...guessesFor(attributionKey).filter((g) => g !== ''), attributionKey]) {
      const query = new URLSearchParams({ src: 'x', appId: A, appAttributionKey: guess })
      const res = await app.app.inject({
        method: 'GET',
        url: `/v1/installInfo?${query.toString()}`,
      })
      assert.equal(res.statusCode, guess === attributionKey ? 200 : 401, res.body)
      assert.deepEqual(take(), [[32, 32]], `attribution key ${JSON.stringify(guess)}`)
    }
  })
})

describe('failed-authentication limiting per source address', () => {
  const wrong = { authorization: basicAuth(A, 'not-the-key'), 'content-type': 'application/json' }
  const body = JSON.stringify({ type: 'customer', customer_id: 'u' })
  const from = (remoteAddress: string, headers: Record<string, string>): InjectOptions => ({
    method: 'POST',
    url: `/v1/customer/${A}`,
    headers,
    payload: body,
    remoteAddress,
  })

  it('blocks an address after too many failures, even with the right key, and only that one', async (t) => {
    const app = await createTestApp(t, {
      INLET_AUTH_FAILURES_PER_MINUTE: '5',
      INLET_AUTH_BLOCK_SECONDS: '60',
    })
    for (let i = 0; i < 6; i++) {
      const res = await app.app.inject(from('10.0.0.1', wrong))
      assert.equal(res.statusCode, 401, `failure ${i + 1} is a 401: ${res.body}`)
    }
    const blocked = await app.app.inject(from('10.0.0.1', asA))
    assert.equal(blocked.statusCode, 429, blocked.body)
    assert.deepEqual(
      blocked.json<{ error: { message: string; type: string } }>().error.type,
      'Rate Limit Exceeded',
    )
    assert.equal(
      blocked.json<{ error: { message: string } }>().error.message,
      'Too many failed authentication attempts. Please retry later.',
    )
    assert.equal(blocked.headers['retry-after'], '60')
    // Another address is not affected, and neither are other routes' own checks.
    assert.equal((await app.app.inject(from('10.0.0.2', asA))).statusCode, 200)
    // The admin API and Test connection count and obey the same block.
    const admin = await app.app.inject({
      method: 'GET',
      url: '/inlet/v1/admin/workspaces',
      remoteAddress: '10.0.0.1',
    })
    assert.equal(admin.statusCode, 404, 'no admin API without a token')
    app.clock.advance(61_000)
    assert.equal((await app.app.inject(from('10.0.0.1', asA))).statusCode, 200, 'unblocked')
  })

  it('never counts successes, and counts Test connection and admin failures', async (t) => {
    const app = await createTestApp(t, {
      INLET_AUTH_FAILURES_PER_MINUTE: '3',
      INLET_ADMIN_TOKEN: ADMIN_TOKEN,
      INLET_RATE_LIMITS: 'off',
    })
    for (let i = 0; i < 50; i++) {
      assert.equal((await app.app.inject(from('10.0.0.3', asA))).statusCode, 200)
    }
    const tc = (secret: string): InjectOptions => ({
      method: 'POST',
      url: '/v1/integrations/authentication',
      headers: { 'content-type': 'application/json', 'moe-appkey': A },
      payload: JSON.stringify({ app_id: A, app_secret: secret, source: 's', region: 'r' }),
      remoteAddress: '10.0.0.4',
    })
    assert.equal((await app.app.inject(tc('wrong-1'))).statusCode, 401)
    assert.equal((await app.app.inject(tc('wrong-2'))).statusCode, 401)
    const admin = await app.app.inject({
      method: 'GET',
      url: '/inlet/v1/admin/workspaces',
      headers: { authorization: 'Bearer wrong-token-wrong-token' },
      remoteAddress: '10.0.0.4',
    })
    assert.equal(admin.statusCode, 401)
    assert.equal((await app.app.inject(tc('wrong-3'))).statusCode, 401, 'the 4th failure')
    const blocked = await app.app.inject(tc(API_KEY))
    assert.equal(blocked.statusCode, 429, `blocked even with the right key: ${blocked.body}`)
  })
})

describe('failed-authentication limiting on Install info and Inlet’s own endpoints', () => {
  const ATTRIBUTION_KEY = 'attribution-key-1'
  type Request = InjectOptions & { method: string; url: string }
  const install = (key: string, remoteAddress: string): Request => ({
    method: 'GET',
    url: `/v1/installInfo?${new URLSearchParams({ appId: A, appAttributionKey: key, src: 'appsflyer' }).toString()}`,
    remoteAddress,
  })
  const inspect = (secret: string, remoteAddress: string): Request => ({
    method: 'GET',
    url: '/inlet/v1/requests/abcdefgh',
    headers: { authorization: basicAuth(A, secret) },
    remoteAddress,
  })
  async function limited(t: TestContext): Promise<TestApp> {
    const app = await createTestApp(t, {
      INLET_AUTH_FAILURES_PER_MINUTE: '3',
      INLET_AUTH_BLOCK_SECONDS: '60',
      INLET_RATE_LIMITS: 'off',
    })
    await app.store.workspaces.update(A, {
      settings: { attributionKey: ATTRIBUTION_KEY },
      updatedAt: app.clock.now(),
    })
    return app
  }

  it('counts wrong attribution keys on Install info and blocks the address there', async (t) => {
    const app = await limited(t)
    for (let i = 0; i < 4; i++) {
      const res = await app.app.inject(install(`wrong-key-${i}`, '10.0.1.1'))
      assert.equal(res.statusCode, 401, `failure ${i + 1}: ${res.body}`)
    }
    const blocked = await app.app.inject(install(ATTRIBUTION_KEY, '10.0.1.1'))
    assert.equal(blocked.statusCode, 429, `blocked even with the right key: ${blocked.body}`)
    assert.equal(blocked.headers['retry-after'], '60')
    // The block is per address, and holds on the Data API too.
    assert.equal((await app.app.inject(install(ATTRIBUTION_KEY, '10.0.1.2'))).statusCode, 200)
    const data = await app.app.inject({
      method: 'POST',
      url: `/v1/customer/${A}`,
      headers: asA,
      payload: JSON.stringify({ type: 'customer', customer_id: 'u' }),
      remoteAddress: '10.0.1.1',
    })
    assert.equal(data.statusCode, 429, data.body)
  })

  it('refuses a blocked address on Install info and on /inlet/v1/*, and counts their failures', async (t) => {
    const app = await limited(t)
    // Blocked by wrong Data API keys: Install info and the Inlet endpoints refuse it too.
    for (let i = 0; i < 4; i++) {
      const res = await app.app.inject({
        method: 'POST',
        url: `/v1/customer/${A}`,
        headers: { ...asA, authorization: basicAuth(A, 'not-the-key') },
        payload: JSON.stringify({ type: 'customer', customer_id: 'u' }),
        remoteAddress: '10.0.1.3',
      })
      assert.equal(res.statusCode, 401, res.body)
    }
    const refused = [
      install(ATTRIBUTION_KEY, '10.0.1.3'),
      inspect(API_KEY, '10.0.1.3'),
      { ...inspect(API_KEY, '10.0.1.3'), method: 'POST', url: '/inlet/v1/merges/1/undo' } as const,
    ]
    const answers: Record<string, number> = {}
    for (const request of refused) {
      answers[`${request.method} ${request.url}`] = (await app.app.inject(request)).statusCode
    }
    assert.deepEqual(answers, Object.fromEntries(refused.map((r) => [`${r.method} ${r.url}`, 429])))
    // Wrong keys on an Inlet endpoint count like any other failed authentication.
    for (let i = 0; i < 4; i++) {
      assert.equal((await app.app.inject(inspect(`wrong-${i}`, '10.0.1.4'))).statusCode, 401)
    }
    const blocked = await app.app.inject(inspect(API_KEY, '10.0.1.4'))
    assert.equal(blocked.statusCode, 429, blocked.body)
  })
})

describe('the admin API', () => {
  it('is off (404 on every path) unless INLET_ADMIN_TOKEN is set', async (t) => {
    const off = await createTestApp(t)
    for (const url of ['/inlet/v1/admin/workspaces', `/inlet/v1/admin/workspaces/${A}`]) {
      for (const authorization of [`Bearer ${ADMIN_TOKEN}`, basicAuth(A, API_KEY), '']) {
        const res = await off.app.inject({ method: 'GET', url, headers: { authorization } })
        failsWith(404, 'Not Found')(res)
      }
    }
    const on = await createTestApp(t, { INLET_ADMIN_TOKEN: ADMIN_TOKEN })
    const denied = await on.app.inject({ method: 'GET', url: '/inlet/v1/admin/workspaces' })
    failsWith(401)(denied)
    const allowed = await on.app.inject({
      method: 'GET',
      url: '/inlet/v1/admin/workspaces',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    assert.equal(allowed.statusCode, 200, allowed.body)
  })
})
