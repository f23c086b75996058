/**
 * The delivery worker (docs/outbox.md "Delivery"): claims the outbox messages whose delivery is
 * due — of every workspace, from the store, so any number of processes may run one — hands each
 * to its workspace's mode (smtp.ts, webhook.ts) and settles the attempt: `sent`, retried later
 * with backoff (backoff.ts), or `failed`. Every piece of state is in the store: a claimed attempt
 * holds the message for the lease and no longer, so an attempt whose process died (SIGKILL) is
 * claimed again and made again with the same idempotency key — at least once, never lost; a
 * retry's time is the message's due time, so retries survive restarts. It does not decide which
 * messages are delivered (the sender does, when it records them: families/inform).
 */
import type { Clock } from '../core/clock.js'
import type { Logger } from '../core/log.js'
import { createPoller } from '../core/poller.js'
import type { OutboxMessageRow, OutboxSettlement, Store, Workspace } from '../store/store.js'
import {
  deliverySealContext,
  deliversChannel,
  readDelivery,
  RECORD_ONLY,
  type Delivery,
} from '../workspaces/delivery.js'
import type { SecretBox } from '../workspaces/secret-box.js'
import { messageOf, retry, type AttemptResult } from './attempt.js'
import { retryDelayMs } from './backoff.js'
import { deliverSmtp } from './smtp.js'
import { deliverWebhook } from './webhook.js'

/** How often an idle worker looks for due messages. */
export const POLL_MS = 250
/** Attempts in flight at once, at most (the loop claims as many as are free). */
export const BATCH = 16

export type DeliveryWorkerDeps = Readonly<{
  store: Store
  secrets: SecretBox
  clock: Clock
  log: Logger
  /** How long a claimed attempt is held (config.delivery.leaseMs). */
  leaseMs: number
  /** Attempts before a message is failed (config.delivery.maxAttempts). */
  maxAttempts: number
  /** The backoff's jitter source (default Math.random). */
  random?: () => number
  pollMs?: number
}>

export type DeliveryWorker = Readonly<{
  /** Claims the due messages (one batch) and attempts them; resolves to how many it attempted. */
  runOnce(): Promise<number>
  /** Looks for due messages every pollMs until stop(). */
  start(): void
  /**
   * Stops looking; resolves once the attempts in flight are settled, or after `timeoutMs` (the
   * shutdown's budget): webhook attempts still in flight are then aborted (settled as a failure
   * that may pass, tried again), and the worker waits at most STOP_GRACE_MS more for them. An
   * attempt that outlives that (an SMTP conversation) is not recorded: its lease runs out and it
   * is made again, with the same idempotency key.
   */
  stop(timeoutMs?: number): Promise<void>
}>

export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { store, clock, log } = deps
  const random = deps.random ?? Math.random
  const pollMs = deps.pollMs ?? POLL_MS

  /** The mode's attempt of `m`; a secret that does not open is a failure that may pass. */
  async function attemptOf(m: OutboxMessageRow, delivery: Delivery): Promise<AttemptResult> {
    try {
      if (delivery.mode === 'webhook') {
        const secret = deps.secrets.open(
          delivery.webhook.sealedSecret,
          deliverySealContext(m.workspaceId, 'webhook'),
        )
        const target = { url: delivery.webhook.url, secret }
        return await deliverWebhook(m, target, clock.now(), stopping.signal)
      }
      if (delivery.mode === 'smtp') {
        const { sealedPassword } = delivery.smtp
        const password =
          sealedPassword === null
            ? null
            : deps.secrets.open(sealedPassword, deliverySealContext(m.workspaceId, 'smtp'))
        return await deliverSmtp(m, delivery.smtp, password)
      }
    } catch (err) {
      return retry(`delivery: ${messageOf(err)}`)
    }
    return retry('delivery: no mode') // unreachable: deliversChannel kept `record` out
  }

  function settlementOf(m: OutboxMessageRow, result: AttemptResult): OutboxSettlement {
    if (result.kind === 'sent') return { status: 'sent' }
    const of = `attempt ${m.attempts} of ${deps.maxAttempts}`
    if (result.kind === 'failed') return { status: 'failed', reason: `${result.reason} (${of})` }
    if (m.attempts >= deps.maxAttempts) {
      return { status: 'failed', reason: `${result.reason} (${of}, the last)` }
    }
    const dueAt = clock.now() + retryDelayMs(m.attempts, random())
    return { status: 'retry', dueAt, reason: `${result.reason} (${of})` }
  }

  async function deliverOne(m: OutboxMessageRow, workspace: Workspace | undefined) {
    const delivery = workspace === undefined ? RECORD_ONLY : readDelivery(workspace.settings)
    const outcome: OutboxSettlement = deliversChannel(delivery, m.channel)
      ? settlementOf(m, await attemptOf(m, delivery))
      : {
          status: 'kept',
          reason: `not delivered: the workspace's delivery mode is now ${delivery.mode}`,
        }
    const settled = await store.outbox.settle(
      { workspaceId: m.workspaceId, seq: m.seq, attempts: m.attempts },
      outcome,
      clock.now(),
    )
    if (!settled) {
      log.warn(
        { workspaceId: m.workspaceId, messageId: m.id, attempt: m.attempts },
        'delivery attempt no longer pending when it ended (lease over, or erased); not recorded',
      )
    }
  }

  /** Aborted when stop() runs out of time: in-flight webhook attempts end at once. */
  const stopping = new AbortController()
  /** The attempts the loop has started and not yet settled (at most BATCH). */
  const inFlight = new Set<Promise<void>>()

  /** Claims up to `limit` due messages and starts their attempts; returns them unawaited. */
  async function claimAndStart(limit: number): Promise<Promise<void>[]> {
    const claimed = await store.outbox.claimDue(clock.now(), deps.leaseMs, limit)
    const workspaces = new Map<string, Promise<Workspace | undefined>>()
    return claimed.map(async (m) => {
      let workspace = workspaces.get(m.workspaceId)
      if (workspace === undefined) {
        workspace = store.workspaces.get(m.workspaceId)
        workspaces.set(m.workspaceId, workspace)
      }
      try {
        await deliverOne(m, await workspace)
      } catch (err) {
        // The store failed: the claim's lease runs out and the attempt is made again.
        log.error({ err, messageId: m.id }, 'delivery attempt not settled')
      }
    })
  }

  async function runOnce(): Promise<number> {
    const attempts = await claimAndStart(BATCH)
    await Promise.all(attempts)
    return attempts.length
  }

  /**
   * One round of the loop: fills the free slots and returns without waiting for the attempts, so
   * a slow receiver holds one slot for its attempt's time, not the whole queue (a round that
   * waited for its batch would deliver nothing else while one attempt hung for
   * ATTEMPT_TIMEOUT_MS). A round that filled every free slot is followed at once by the next.
   */
  async function fill(): Promise<number> {
    const free = BATCH - inFlight.size
    if (free === 0) return 0
    const attempts = await claimAndStart(free)
    for (const attempt of attempts) {
      inFlight.add(attempt)
      void attempt.finally(() => inFlight.delete(attempt))
    }
    return attempts.length === free ? BATCH : attempts.length
  }

  /** Whether the attempts in flight now all settle within `ms`. */
  async function settledWithin(ms: number): Promise<boolean> {
    const all = Promise.all(inFlight).then(() => true)
    if (ms === Number.POSITIVE_INFINITY) return all
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    return Promise.race([all, late]).finally(() => clearTimeout(timer))
  }

  const poller = createPoller(fill, { pollMs, batch: BATCH, log, name: 'delivery' })
  return {
    runOnce,
    start: poller.start,
    async stop(timeoutMs = Number.POSITIVE_INFINITY) {
      const started = Date.now()
      await poller.stop(timeoutMs) // a claim in progress (a store call) ends soon in any case
      const left = Math.max(0, timeoutMs - (Date.now() - started))
      if (await settledWithin(left)) return
      log.warn(
        { timeoutMs },
        'delivery attempts still in flight at shutdown: aborted; they are tried again later',
      )
      stopping.abort(new Error('Inlet is shutting down'))
      await settledWithin(STOP_GRACE_MS)
    },
  }
}

/** After stop()'s time ran out and the attempts were aborted, how long it still waits for them. */
export const STOP_GRACE_MS = 1_000
