/**
 * DataApiClient: MoEngage's Data API from any runtime with `fetch` (Node, Deno, Bun, edge
 * workers, browsers), against MoEngage itself (a data centre) or an Inlet (its base URL). One
 * method per endpoint Inlet serves (spec §7, and Inlet's read-back extensions), each answering the
 * endpoint's documented body or throwing a DataApiError (errors.ts); `trackUser` / `trackEvent` /
 * `trackDevice` queue records for Bulk Import bodies instead (batcher.ts). Every request is paced
 * by the rate-limit headers (pacer.ts) and retried as the policy says (retry.ts).
 */
import { BULK_BODY_LIMIT_BYTES } from '../core/wire-limits.js'
import type { Clock } from '../core/clock.js'
import { createBatcher, BULK_QUOTA, type Batcher, type Delivered } from './batcher.js'
import type { DeliveryFailure } from './errors.js'
import { createPacer } from './pacer.js'
import { retryPolicy, type RetryPolicy } from './retry.js'
import { basicAuthorization, createTransport, type FetchLike, type Transport } from './transport.js'
import type {
  AcceptedBody,
  BulkElement,
  BulkImportBody,
  DeleteUserBody,
  DeviceOptOutBody,
  DeviceRecord,
  EventRecord,
  GdprErasureBody,
  GdprReport,
  GetUsersAnswer,
  GetUsersBody,
  InstallInfoParams,
  MergeAnswer,
  MergeBody,
  RequestReport,
  TestConnectionAnswer,
  TestConnectionOptions,
  UserRecord,
} from './types.js'

/** spec §1: MoEngage's data centres. */
export const DATA_CENTERS = ['01', '02', '03', '04', '05', '06', '101'] as const

export type DataCenter = (typeof DATA_CENTERS)[number]

/** Where the API is: a MoEngage data centre, or a base URL (an Inlet: `http://127.0.0.1:8080`). */
export type Endpoint = { dataCenter: DataCenter } | { baseUrl: string }

export type ClientOptions = {
  /** Retries of 5xx answers and requests without an answer, and of 429s (retry.ts). */
  retry?: Partial<RetryPolicy>
  /** Largest Bulk Import body, in bytes (default and most: 100 KB, spec §3). */
  maxBatchBytes?: number
  /** Most records in one Bulk Import body (default 1000). */
  maxBatchRecords?: number
  /** Longest a queued record waits before its body is sent (default 1000 ms). */
  flushIntervalMs?: number
  /** Queued bytes beyond which `track*` waits for the queue to drain (default 10 MB). */
  maxQueueBytes?: number
  /** Longest wait for one answer; then the request counts as unanswered (default 30 s). */
  timeoutMs?: number
  /** Records that could not be delivered, and why. Without it, `flush()` / `close()` reject. */
  onFailure?: (failure: DeliveryFailure) => void
  /** Each Bulk Import body the API accepted: its `request_id` and its records. */
  onDelivered?: (delivered: Delivered) => void
  /** For tests: the `fetch` to use (default: the global one). */
  fetch?: FetchLike
  /** For tests: the clock pacing reads (default: `Date.now`). */
  clock?: Clock
  /** For tests: how the client waits (default: `setTimeout`). */
  sleep?: (ms: number) => Promise<void>
  /** For tests: the jitter's randomness, in [0, 1) (default: `Math.random`). */
  random?: () => number
}

/** The base URL of an endpoint (spec §1: `https://api-{dc}.moengage.com`). */
export function baseUrlOf(endpoint: Endpoint): string {
  if ('dataCenter' in endpoint) {
    if (!(DATA_CENTERS as readonly string[]).includes(endpoint.dataCenter)) {
      throw new RangeError(
        `dataCenter must be one of ${DATA_CENTERS.join(', ')}; got ${String(endpoint.dataCenter)}`,
      )
    }
    return `https://api-${endpoint.dataCenter}.moengage.com`
  }
  const url = new URL(endpoint.baseUrl) // throws on a malformed URL
  return url.href.replace(/\/+$/, '')
}

function positive(name: string, value: number | undefined, fallback: number, max = Infinity) {
  const v = value ?? fallback
  if (!Number.isInteger(v) || v < 1 || v > max) {
    throw new RangeError(`${name} must be a whole number from 1 to ${max}; got ${v}`)
  }
  return v
}

/**
 * A client of one workspace's Data API.
 *
 * @example
 * const client = new DataApiClient({ baseUrl: 'http://127.0.0.1:8080' }, workspaceId, apiKey, {
 *   onFailure: ({ records, error }) => console.error(records.length, error.message),
 * })
 * await client.trackUser({ customer_id: 'john', attributes: { first_name: 'John' } })
 * await client.trackEvent({ customer_id: 'john', actions: [{ action: 'Added to Cart' }] })
 * await client.close() // everything queued is acknowledged
 */
export class DataApiClient {
  readonly baseUrl: string
  readonly workspaceId: string
  readonly #apiKey: string
  readonly #region: string
  readonly #transport: Transport
  readonly #batcher: Batcher
  readonly #app: string

  constructor(
    endpoint: Endpoint,
    workspaceId: string,
    apiKey: string,
    options: ClientOptions = {},
  ) {
    if (workspaceId === '' || apiKey === '')
      throw new TypeError('workspaceId and apiKey are required')
    this.baseUrl = baseUrlOf(endpoint)
    this.workspaceId = workspaceId
    this.#apiKey = apiKey
    this.#region = 'dataCenter' in endpoint ? endpoint.dataCenter : '01'
    this.#app = encodeURIComponent(workspaceId)
    const clock = options.clock ?? { now: () => Date.now() }
    const timing = {
      now: () => clock.now(),
      sleep:
        options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    }
    const pacer = createPacer(timing)
    this.#transport = createTransport({
      baseUrl: this.baseUrl,
      authorization: basicAuthorization(workspaceId, apiKey),
      workspaceId,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      timing,
      random: options.random ?? Math.random,
      retry: retryPolicy(options.retry),
      pacer,
      timeoutMs: positive('timeoutMs', options.timeoutMs, 30_000),
    })
    this.#batcher = createBatcher(this.#transport, pacer, `/v1/transition/${this.#app}`, {
      maxBatchBytes: positive(
        'maxBatchBytes',
        options.maxBatchBytes,
        BULK_BODY_LIMIT_BYTES,
        BULK_BODY_LIMIT_BYTES,
      ),
      maxBatchRecords: positive('maxBatchRecords', options.maxBatchRecords, 1000),
      flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs, 1000),
      maxQueueBytes: positive('maxQueueBytes', options.maxQueueBytes, 10 * 1024 * 1024),
      onFailure: options.onFailure,
      onDelivered: options.onDelivered,
    })
  }

  // ---- batched: records queued for Bulk Import bodies ----

  /**
   * Queues a user (spec §7.1) for a Bulk Import body. Resolves once queued (at once, unless more
   * than `maxQueueBytes` are waiting); rejects with RecordTooLargeError for a record that alone
   * exceeds a Bulk body, or ClientClosedError after `close()`.
   */
  trackUser(user: UserRecord): Promise<void> {
    return this.#batcher.enqueue({ type: 'customer', ...user })
  }

  /** Queues a user's events (spec §7.2) for a Bulk Import body; as `trackUser`. */
  trackEvent(event: EventRecord): Promise<void> {
    return this.#batcher.enqueue({ type: 'event', ...event })
  }

  /** Queues a device (spec §7.4) for a Bulk Import body; as `trackUser`. */
  trackDevice(device: DeviceRecord): Promise<void> {
    return this.#batcher.enqueue({ type: 'device', ...device })
  }

  /**
   * Sends everything queued so far; resolves once each record is acknowledged or handed to
   * `onFailure`. Without `onFailure`, rejects with a DeliveryError naming the records that failed.
   */
  flush(): Promise<void> {
    return this.#batcher.flush()
  }

  /** Refuses new records, then flushes (as `flush()`). */
  close(): Promise<void> {
    return this.#batcher.close()
  }

  // ---- one request per call ----

  /** Track User `POST /v1/customer/{workspace}` (spec §7.1): one user. */
  sendUser(user: UserRecord): Promise<AcceptedBody> {
    return this.#post(`/v1/customer/${this.#app}`, { type: 'customer', ...user }, 'track_user', 1)
  }

  /** Create Event `POST /v1/event/{workspace}` (spec §7.2): one user's events. */
  sendEvent(event: EventRecord): Promise<AcceptedBody> {
    const units = Array.isArray(event.actions) ? event.actions.length : 1
    return this.#post(`/v1/event/${this.#app}`, { type: 'event', ...event }, 'create_event', units)
  }

  /** Track Device `POST /v1/device/{workspace}` (spec §7.4): one device of an existing user. */
  sendDevice(device: DeviceRecord): Promise<AcceptedBody> {
    return this.#post(`/v1/device/${this.#app}`, { type: 'device', ...device }, 'track_device', 1)
  }

  /**
   * Bulk Import `POST /v1/transition/{workspace}` (spec §7.3): one body, as given (≤ 100 KB).
   * `idempotencyKey` (16 to 100 of `A-Za-z0-9._:-`) is Inlet's extension: an Inlet logs a body
   * under its key once, so sending it again after a lost answer duplicates nothing
   * (docs/imports.md); MoEngage ignores the header.
   */
  bulkImport(
    elements: readonly BulkElement[],
    options: { idempotencyKey?: string } = {},
  ): Promise<AcceptedBody> {
    const body: BulkImportBody = { type: 'transition', elements: [...elements] }
    const users = elements.filter((e) => e.type !== 'event').length
    const events = elements.reduce(
      (n, e) => n + (e.type === 'event' && Array.isArray(e.actions) ? e.actions.length : 0),
      0,
    )
    const key = options.idempotencyKey
    return this.#transport.send<AcceptedBody>({
      method: 'POST',
      path: `/v1/transition/${this.#app}`,
      body,
      auth: true,
      quota: { name: BULK_QUOTA, units: Math.max(users, events) },
      ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
    })
  }

  /** Device Opt-out `POST /v1/devices/manage` (spec §7.5). */
  deviceOptOut(body: DeviceOptOutBody): Promise<AcceptedBody> {
    return this.#post(`/v1/devices/manage?app_id=${this.#app}`, body, 'device_opt_out', 1)
  }

  /** Get User `POST /v1/customers/export` (spec §7.6): up to 20 identifiers. */
  getUsers(body: GetUsersBody): Promise<GetUsersAnswer> {
    const units = Array.isArray(body.data.identifiers) ? body.data.identifiers.length : 1
    return this.#post(`/v1/customers/export?app_id=${this.#app}`, body, 'get_user', units)
  }

  /** Merge Users `POST /v1/customer/merge` (spec §7.7): up to 50 pairs. */
  mergeUsers(body: MergeBody): Promise<MergeAnswer> {
    const units = Array.isArray(body.merge_data) ? body.merge_data.length : 1
    return this.#post(`/v1/customer/merge?app_id=${this.#app}`, body, 'merge', units)
  }

  /** Delete Users `POST /v1/customer/delete` (spec §7.8): one user. */
  deleteUser(body: DeleteUserBody): Promise<AcceptedBody> {
    return this.#post(`/v1/customer/delete?app_id=${this.#app}`, body, 'delete', 1)
  }

  /** GDPR / CCPA erasure `POST /v1/opengdpr_requests/{workspace}` (spec §7.12). */
  gdprErasure(body: GdprErasureBody): Promise<AcceptedBody> {
    return this.#post(`/v1/opengdpr_requests/${this.#app}`, body)
  }

  /**
   * Test connection `POST /v1/integrations/authentication` (spec §7.11): whether this workspace id
   * and key go together here; answers the workspace's `app_name`. `region` defaults to the data
   * centre (`01` for a base URL), `source` to `test`.
   */
  testConnection(options: TestConnectionOptions = {}): Promise<TestConnectionAnswer> {
    return this.#transport.send({
      method: 'POST',
      path: '/v1/integrations/authentication',
      auth: false,
      headers: { 'MOE-APPKEY': this.workspaceId },
      body: {
        app_id: this.workspaceId,
        app_secret: this.#apiKey,
        source: options.source ?? 'test',
        region: options.region ?? this.#region,
      },
    })
  }

  /** Install attribution `GET /v1/installInfo` (spec §7.10): no Basic auth, the attribution key. */
  installInfo(params: InstallInfoParams): Promise<AcceptedBody> {
    const query = new URLSearchParams({ appId: this.workspaceId })
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === 'string') query.set(key, value)
    }
    return this.#transport.send({
      method: 'GET',
      path: `/v1/installInfo?${query.toString()}`,
      auth: false,
    })
  }

  // ---- Inlet's extensions (not MoEngage's) ----

  /** Inlet: `GET /inlet/v1/requests/{request_id}`, what became of each record of a request. */
  requestReport(requestId: string): Promise<RequestReport> {
    return this.#get(`/inlet/v1/requests/${encodeURIComponent(requestId)}`)
  }

  /** Inlet: `GET /inlet/v1/gdpr/{request_id}`, whether an erasure is pending or done. */
  gdprStatus(requestId: string): Promise<GdprReport> {
    return this.#get(`/inlet/v1/gdpr/${encodeURIComponent(requestId)}`)
  }

  /** Inlet: `POST /inlet/v1/merges/{merge_id}/undo`, both users of a merge as they were. */
  undoMerge(mergeId: number | string): Promise<AcceptedBody> {
    return this.#post(`/inlet/v1/merges/${encodeURIComponent(String(mergeId))}/undo`, {})
  }

  #post<T>(path: string, body: unknown, quota?: string, units = 1): Promise<T> {
    return this.#transport.send<T>({
      method: 'POST',
      path,
      body,
      auth: true,
      ...(quota === undefined ? {} : { quota: { name: quota, units } }),
    })
  }

  #get<T>(path: string): Promise<T> {
    return this.#transport.send<T>({ method: 'GET', path, auth: true })
  }
}
