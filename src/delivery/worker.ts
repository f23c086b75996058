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
/** Messages claimed (and attempted at once) per round. */
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

  async function runOnce(): Promise<number> {
    const claimed = await store.outbox.claimDue(clock.now(), deps.leaseMs, BATCH)
    const workspaces = new Map<string, Promise<Workspace | undefined>>()
    await Promise.all(
      claimed.map(async (m) => {
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
      }),
    )
    return claimed.length
  }

  const poller = createPoller(runOnce, { pollMs, batch: BATCH, log, name: 'delivery' })
  return {
    runOnce,
    start: poller.start,
    async stop(timeoutMs = Number.POSITIVE_INFINITY) {
      if (await poller.stop(timeoutMs)) return
      log.warn(
        { timeoutMs },
        'delivery attempts still in flight at shutdown: aborted; they are tried again later',
      )
      stopping.abort(new Error('Inlet is shutting down'))
      await poller.stop(STOP_GRACE_MS)
    },
  }
}

/** After stop()'s time ran out and the attempts were aborted, how long it still waits for them. */
export const STOP_GRACE_MS = 1_000
