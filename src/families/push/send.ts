/**
 * Sending a Push API campaign (moengage-other-apis.md §2.8, issue 21): the campaign claimed by
 * name (a `User` campaign's name is reused to group its requests; any other name is used once:
 * `Duplicate campaign name`), its audience — the users `targetUserAttributes` matches (at most
 * 100), a custom segment's members, or all users — expanded a page of users at a time, each user's
 * devices of each target platform (Track Device's `platform` and `push_id`) given one message:
 * its title, message, summary and subtitle rendered with the user's attributes
 * (profile/personalization.ts), its consent decided (suppressedFor), and each page written to the
 * outbox in one transaction with the send's progress (store/push-repo.ts `advance`), then the
 * system events of the messages recorded appended to the ingest log. `soon` is expanded before the
 * answer; `later` and `periodic` by the scheduler (scheduler.ts) at each occurrence. A `recorded`
 * message is due for delivery at once when the workspace's delivery mode delivers PUSH.
 */
import type { Clock } from '../../core/clock.js'
import { AppError } from '../../core/errors.js'
import type { IdGenerator } from '../../core/ids.js'
import type { ParsedRecord } from '../../core/records.js'
import type { Ingest } from '../../ingest/accept.js'
import { suppressionHash } from '../../privacy/gdpr.js'
import { cachedTemplate, TemplateSyntaxError } from '../../profile/personalization.js'
import { systemEventRecord } from '../../profile/system-events.js'
import { storedSegmentQuery } from '../../segments/stored.js'
import type { SegmentQuery } from '../../store/segments.js'
import type {
  DeviceRow,
  NewOutboxMessage,
  PushRunRow,
  Store,
  UserMatch,
} from '../../store/store.js'
import { deliversChannel, readDelivery, type Delivery } from '../../workspaces/delivery.js'
import {
  MAX_TARGET_USERS,
  type PushPlatform,
  type PushSend,
  type TargetUsers,
} from './bodies/push-body.js'
import { occurrenceAt, scheduled } from './schedule.js'

/** Users per step: one page of users, their devices, one transaction of messages. */
export const PAGE_USERS = 2_000
/** How long a process expanding a send holds it between steps. */
export const RUN_LEASE_MS = 60_000
/** The fields of a platform's payload rendered with the user's attributes (the text it shows). */
export const RENDERED_FIELDS = ['title', 'message', 'summary', 'subtitle'] as const

export type PushDeps = Readonly<{
  store: Store
  ingest: Ingest
  clock: Clock
  ids: IdGenerator
  /** Users per step (PAGE_USERS; tests make it small). */
  pageUsers?: number
}>

/** A user a page holds: its internal id, customer id and attributes. */
type Member = Readonly<{
  id: string
  customerId: string | null
  attributes: Readonly<Record<string, unknown>>
}>

/** What a send's run keeps of the request (JSON in push_runs.request). */
export type StoredSend = PushSend & Readonly<{ segmentId?: string }>

/** The user attribute and device attribute each documented target attribute matches. */
function matchOf(target: TargetUsers): UserMatch {
  const none: UserMatch = { customerIds: [], userIds: [], userAttributes: [], deviceAttributes: [] }
  const user = (key: string, caseInsensitive = false) => ({
    ...none,
    userAttributes: target.values.map((value) => ({ key, value, caseInsensitive })),
  })
  const device = (key: string) => ({
    ...none,
    deviceAttributes: target.values.map((value) => ({ key, value })),
  })
  if (target.isCustom) return user(target.attribute)
  switch (target.attribute) {
    case 'USER_ATTRIBUTE_UNIQUE_ID':
      return { ...none, customerIds: target.values }
    case 'USER_ATTRIBUTE_USER_EMAIL':
      return user('u_em', true)
    case 'USER_ATTRIBUTE_USER_MOBILE':
      return user('u_mb')
    case 'MOE_GAID':
      return device('moe_gaid')
    case 'ADVERTISING_IDENTIFIER':
      return device('advertising_identifier')
    default:
      return device('push_id')
  }
}

/** The compiled templates of a send's rendered fields, or `push_params_invalid` naming one. */
export function checkTemplates(send: PushSend): void {
  for (const [platform, payload] of Object.entries(send.payload)) {
    for (const field of RENDERED_FIELDS) {
      const source = payload[field]
      if (typeof source !== 'string') continue
      try {
        cachedTemplate(source, 'text')
      } catch (err) {
        if (!(err instanceof TemplateSyntaxError)) throw err
        throw new AppError('push_params_invalid', {
          params: { detail: `payload.${platform}.${field} does not compile: ${err.message}` },
        })
      }
    }
  }
}

/** What a page's decisions read once: the suppression list's hits, the workspace's mode. */
type PageContext = Readonly<{
  workspaceId: string
  campaignId: string
  requestId: string
  occurrence: number
  send: StoredSend
  delivery: Delivery
  suppressed: ReadonlySet<string>
  now: number
}>

const isTrue = (v: unknown): boolean => v === true || v === 'true'
const isFalse = (v: unknown): boolean => v === false || v === 'false'

/** Why a message to `device` of `user` must not be sent, or undefined. */
export function suppressedFor(
  ctx: Pick<PageContext, 'workspaceId' | 'suppressed'>,
  user: Member,
  device: DeviceRow,
): string | undefined {
  const id = user.customerId
  if (id !== null && ctx.suppressed.has(suppressionHash(ctx.workspaceId, 'ID', id))) {
    return "GDPR: the user's customer_id was erased by a GDPR request and is on the workspace's suppression list"
  }
  if (isFalse(user.attributes['push_preference'])) {
    return 'the user opted out of push (push_preference is false)'
  }
  if (isTrue(device.attributes['push_blocked'])) {
    return "push is blocked on this token's device (Device Opt-out)"
  }
  return undefined
}

/** The platform payload with its rendered fields rendered for `user`; a failure's reason. */
function rendered(
  payload: Readonly<Record<string, unknown>>,
  user: Member,
): { payload: Record<string, unknown>; failure?: string } {
  const out: Record<string, unknown> = { ...payload }
  for (const field of RENDERED_FIELDS) {
    const source = payload[field]
    if (typeof source !== 'string' || !/{[{%]/.test(source)) continue
    const result = cachedTemplate(source, 'text').render({
      attributes: {},
      user: { customerId: user.customerId, attributes: user.attributes },
    })
    if (!result.ok) return { payload: out, failure: `${field}: ${result.reason}` }
    out[field] = result.text
  }
  return { payload: out }
}

/** A message to one device (or, with none, the suppressed message saying so). */
function messageFor(
  ctx: PageContext,
  ids: IdGenerator,
  user: Member,
  platform: PushPlatform,
  device: DeviceRow | undefined,
): NewOutboxMessage {
  const source = ctx.send.payload[platform] ?? {}
  const { payload, failure } = device === undefined ? { payload: source } : rendered(source, user)
  const suppressed =
    device === undefined
      ? `the user has no ${platform} device with a push token`
      : suppressedFor(ctx, user, device)
  const [status, reason]: [NewOutboxMessage['status'], string | null] =
    suppressed !== undefined
      ? ['suppressed', suppressed]
      : failure !== undefined
        ? ['failed', failure]
        : ['recorded', null]
  const title = payload['title']
  const message = payload['message']
  return {
    id: ids.userId(ctx.now),
    workspaceId: ctx.workspaceId,
    channel: 'PUSH',
    source: 'push',
    sourceId: ctx.campaignId,
    customerId: user.customerId,
    recipient: device?.pushId ?? '',
    platform,
    subject: typeof title === 'string' ? title : null,
    body: typeof message === 'string' ? message : '',
    payload: {
      campaign_name: ctx.send.campaignName,
      target_audience: ctx.send.audience,
      ...(ctx.send.campaignTags.length === 0 ? {} : { campaign_tags: ctx.send.campaignTags }),
      ...(device === undefined ? {} : { device_id: device.deviceId }),
      occurrence: ctx.occurrence,
      [platform]: payload,
      ...(ctx.send.advancedSettings === undefined
        ? {}
        : { advanced_settings: ctx.send.advancedSettings }),
    },
    template: `push/${ctx.campaignId}/${platform}`,
    templateVersion: ctx.occurrence,
    transactionId: null,
    requestId: ctx.requestId,
    status,
    reason,
    attempts: 0,
    createdAt: ctx.now,
    dueAt: status === 'recorded' && deliversChannel(ctx.delivery, 'PUSH') ? ctx.now : null,
  }
}

/** The messages of a page of users: one per device of each target platform. */
function pageMessages(
  ctx: PageContext,
  ids: IdGenerator,
  users: readonly Member[],
  devices: readonly DeviceRow[],
): NewOutboxMessage[] {
  const byUser = new Map<string, DeviceRow[]>()
  const tokens =
    ctx.send.target?.attribute === 'PUSH_ID' && !ctx.send.target.isCustom
      ? new Set(ctx.send.target.values)
      : undefined
  for (const d of devices) {
    if (d.pushId === null || d.pushId === '') continue
    if (tokens !== undefined && !tokens.has(d.pushId)) continue
    const list = byUser.get(d.userId)
    if (list === undefined) byUser.set(d.userId, [d])
    else list.push(d)
  }
  const messages: NewOutboxMessage[] = []
  for (const user of users) {
    const own = byUser.get(user.id) ?? []
    for (const platform of ctx.send.platforms) {
      const targeted = own.filter((d) => d.platform?.toUpperCase() === platform)
      if (targeted.length === 0) messages.push(messageFor(ctx, ids, user, platform, undefined))
      for (const device of targeted) messages.push(messageFor(ctx, ids, user, platform, device))
    }
  }
  return messages
}

/** The system events of the recorded messages that name a user (Track Event records). */
export function pushEvents(
  campaign: Readonly<{ id: string; name: string }>,
  messages: readonly NewOutboxMessage[],
): ParsedRecord[] {
  const records: ParsedRecord[] = []
  for (const m of messages) {
    const record = systemEventRecord(m, {
      campaign_id: campaign.id,
      campaign_name: campaign.name,
      campaign_channel: 'PUSH',
      campaign_type: 'Push API',
      moe_message_id: m.id,
    })
    if (record !== undefined) records.push(record)
  }
  return records
}

/** The suppression-list hashes of `users` that are on the list (none read when it is empty). */
async function suppressedOf(
  store: Store,
  workspaceId: string,
  customerIds: readonly (string | null)[],
  listed: boolean,
): Promise<Set<string>> {
  if (!listed) return new Set()
  const hashes = customerIds.flatMap((id) =>
    id === null ? [] : [suppressionHash(workspaceId, 'ID', id)],
  )
  return new Set(hashes.length === 0 ? [] : await store.profiles.suppressed(workspaceId, hashes))
}

/** A page of the audience after `cursor`, and the cursor after it (null: the last page). */
type Page = Readonly<{ users: readonly Member[]; next: string | null }>

/** Reads the audience of `send` a page at a time. */
async function readPage(
  deps: PushDeps,
  run: PushRunRow,
  send: StoredSend,
  query: SegmentQuery | undefined,
  cursor: string | null,
  now: number,
): Promise<Page> {
  const { store } = deps
  const limit = deps.pageUsers ?? PAGE_USERS
  if (send.audience === 'User') {
    const target = send.target as TargetUsers // parsed with the audience
    const users = (await store.profiles.matchUsers(run.workspaceId, matchOf(target))).slice(
      0,
      MAX_TARGET_USERS,
    )
    return { users, next: null }
  }
  if (send.audience === 'Custom Segment') {
    if (query === undefined) return { users: [], next: null }
    const page = await store.segments.members(run.workspaceId, query, {
      now,
      limit,
      ...(cursor === null ? {} : { afterId: cursor }),
    })
    return { users: page.members, next: page.next }
  }
  const users = await store.profiles.usersPage(run.workspaceId, cursor ?? '', limit)
  return { users, next: users.length < limit ? null : (users[users.length - 1]?.id ?? null) }
}

/** The customer ids `target` named that no user has: their messages say so (GDPR, or none). */
function unmatched(send: StoredSend, users: readonly Member[]): string[] {
  const target = send.target
  if (target === undefined || target.isCustom || target.attribute !== 'USER_ATTRIBUTE_UNIQUE_ID') {
    return []
  }
  const found = new Set(users.map((u) => u.customerId))
  return [...new Set(target.values)].filter((id) => !found.has(id))
}

/** Messages for customer ids no user has: GDPR-erased ones, or no such user. */
function unmatchedMessages(
  ctx: PageContext,
  ids: IdGenerator,
  customerIds: readonly string[],
): NewOutboxMessage[] {
  return customerIds.flatMap((customerId) =>
    ctx.send.platforms.map((platform) => {
      const gdpr = ctx.suppressed.has(suppressionHash(ctx.workspaceId, 'ID', customerId))
      const m = messageFor(ctx, ids, { id: '', customerId, attributes: {} }, platform, undefined)
      return {
        ...m,
        reason: gdpr
          ? "GDPR: the user's customer_id was erased by a GDPR request and is on the workspace's suppression list"
          : `no user has customer_id '${customerId}'`,
      }
    }),
  )
}

/** A page's step in flight: written while the next page is read and rendered. */
type StepInFlight = Readonly<{ moved: Promise<boolean>; messages: readonly NewOutboxMessage[] }>

/** Marks a promise handled (it is awaited later): its rejection is not unhandled meanwhile. */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

/**
 * Expands the occurrence `run` is at, from where it stands, a page per step, while this process
 * holds it: each step's messages and the run's progress in one transaction. The pages overlap:
 * while a page's step commits (on the SQLite store's outbox writer thread, or a PostgreSQL
 * connection) the next page is read and rendered, and a page's system events are appended to the
 * log while the pages after it go on; a step is posted only after the one before it committed,
 * so the steps stay in order and each begins where the last one ended. Resolves, once every step
 * and every append is done, to the messages written (stopping, at 0 or more, when another
 * process had moved the run on).
 */
export async function expandRun(deps: PushDeps, run: PushRunRow): Promise<number> {
  const { store, clock, ids } = deps
  const send = run.request as StoredSend // written by startSend
  const workspace = await store.workspaces.get(run.workspaceId)
  const delivery = readDelivery(workspace?.settings ?? {})
  const listed = await store.profiles.hasSuppressions(run.workspaceId)
  let query: SegmentQuery | undefined
  if (send.segmentId !== undefined) {
    const row = await store.customSegments.get(run.workspaceId, send.segmentId)
    const resolved = row === undefined ? undefined : await storedSegmentQuery(store, row)
    query = resolved?.ok === true ? resolved.query : undefined
  }
  let written = 0
  let events: Promise<void> = Promise.resolve()
  /** Waits for `step`; on, its messages counted and their system events appended after the last. */
  const settle = async (step: StepInFlight): Promise<boolean> => {
    if (!(await step.moved)) return false
    written += step.messages.length
    const records = pushEvents({ id: run.campaignId, name: send.campaignName }, step.messages)
    if (records.length > 0) {
      const context = { workspaceId: run.workspaceId, requestId: run.requestId, api: 'push' }
      events = awaitedLater(events.then(() => deps.ingest.accept(context, records)))
    }
    return true
  }
  let cursor = run.cursor
  let previous: StepInFlight | undefined
  try {
    for (;;) {
      const now = clock.now()
      const page = await readPage(deps, run, send, query, cursor, now)
      const missing = unmatched(send, page.users)
      const ctx: PageContext = {
        workspaceId: run.workspaceId,
        campaignId: run.campaignId,
        requestId: run.requestId,
        occurrence: run.occurrence,
        send,
        delivery,
        suppressed: await suppressedOf(
          store,
          run.workspaceId,
          [...page.users.map((u) => u.customerId), ...missing],
          listed,
        ),
        now,
      }
      const devices = await store.push.devicesOfUsers(
        run.workspaceId,
        page.users.map((u) => u.id),
      )
      const messages = [
        ...pageMessages(ctx, ids, page.users, devices),
        ...unmatchedMessages(ctx, ids, missing),
      ]
      if (previous !== undefined) {
        const before = previous
        previous = undefined // settled here only: the catch below must not settle it again
        if (!(await settle(before))) break
      }
      const moved = store.push.advance(
        {
          workspaceId: run.workspaceId,
          id: run.id,
          occurrence: run.occurrence,
          cursor,
          next: page.next,
          nextAt: page.next === null ? occurrenceAt(send.delivery, run.occurrence + 1, now) : null,
          now,
          leaseUntil: now + RUN_LEASE_MS,
        },
        messages,
      )
      previous = { moved: awaitedLater(moved), messages }
      if (page.next === null) break
      cursor = page.next
    }
  } catch (err) {
    // A page that could not be read or rendered: the step before it still counts, with its events.
    if (previous !== undefined) await settle(previous).catch(() => false)
    await events.catch(() => undefined)
    throw err
  }
  if (previous !== undefined) await settle(previous)
  await events
  return written
}

/** What a send answers: the campaign's id (`cid`). */
export type SendAnswer = Readonly<{ campaignId: string; runId: string; messages: number }>

/**
 * Sends `send` for `workspaceId`: the campaign claimed, its run recorded, and — `soon` — expanded
 * before it resolves. AppError `push_segment_not_found`, `push_campaign_name_duplicate`,
 * `push_params_invalid` (a template that does not compile, a schedule in the past).
 */
export async function startSend(
  deps: PushDeps,
  ctx: Readonly<{ workspaceId: string; requestId: string }>,
  send: PushSend,
): Promise<SendAnswer> {
  const { store, clock, ids } = deps
  const now = clock.now()
  checkTemplates(send)
  const delivery = scheduled(send.delivery, now)
  let segmentId: string | undefined
  if (send.segmentName !== undefined) {
    const name = send.segmentName
    const [row] = await store.customSegments.list(ctx.workspaceId, { name })
    const found = row ?? (await store.customSegments.get(ctx.workspaceId, name))
    if (found === undefined || found.archivedAt !== null) {
      throw new AppError('push_segment_not_found', { params: { name } })
    }
    segmentId = found.id
  }
  const claim = await store.push.claimCampaign({
    workspaceId: ctx.workspaceId,
    id: ids.userId(now),
    name: send.campaignName,
    audience: send.audience,
    createdAt: now,
  })
  if (!claim.created && (send.audience !== 'User' || claim.row.audience !== 'User')) {
    throw new AppError('push_campaign_name_duplicate')
  }
  const first = occurrenceAt(delivery, 1, now) ?? now
  const soon = delivery.type === 'soon'
  const run: PushRunRow = {
    workspaceId: ctx.workspaceId,
    id: ids.userId(now),
    campaignId: claim.row.id,
    requestId: ctx.requestId,
    request: { ...send, delivery, ...(segmentId === undefined ? {} : { segmentId }) },
    nextAt: first,
    occurrence: 1,
    cursor: null,
    leaseUntil: soon ? now + RUN_LEASE_MS : null,
    messages: 0,
    createdAt: now,
    updatedAt: now,
  }
  await store.push.createRun(run)
  const messages = soon ? await expandRun(deps, run) : 0
  return { campaignId: claim.row.id, runId: run.id, messages }
}
