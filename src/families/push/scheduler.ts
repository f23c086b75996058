/**
 * The Push scheduler (docs/outbox.md "Push"): claims the campaign sends whose next occurrence is
 * due — of every workspace, from the store (store/push-repo.ts), so any number of processes may
 * run one — and expands each occurrence into the outbox (send.ts expandRun). All of its state is
 * in the store: a send is held for a lease that each step renews; a process that dies mid-way
 * (SIGKILL) leaves the send where its last step committed, and once the lease is over it is
 * claimed again and finished from there. A step commits only while the send is still where it
 * began, so no occurrence is written twice, and each is fired once: its completion moves the send
 * to the next occurrence's time (or none) in the same transaction. The clock is injected: a test
 * moves a manual clock and calls runOnce.
 */
import type { Logger } from '../../core/log.js'
import { createPoller } from '../../core/poller.js'
import { expandRun, RUN_LEASE_MS, type PushDeps } from './send.js'

/** How often an idle scheduler looks for due sends. */
export const SCHEDULER_POLL_MS = 1_000
/** Sends claimed per round. */
export const SCHEDULER_BATCH = 4

export type PushSchedulerDeps = PushDeps & Readonly<{ log: Logger; pollMs?: number }>

export type PushScheduler = Readonly<{
  /** Claims the due sends (one batch) and expands them; resolves to how many it claimed. */
  runOnce(): Promise<number>
  /** Looks for due sends every pollMs until stop(). */
  start(): void
  /** Stops looking; resolves once the sends in progress have committed their last step. */
  stop(): Promise<void>
}>

export function createPushScheduler(deps: PushSchedulerDeps): PushScheduler {
  const { store, clock, log } = deps
  const pollMs = deps.pollMs ?? SCHEDULER_POLL_MS
  async function runOnce(): Promise<number> {
    const claimed = await store.push.claimDueRuns(clock.now(), RUN_LEASE_MS, SCHEDULER_BATCH)
    for (const run of claimed) {
      try {
        const written = await expandRun(deps, run)
        log.info(
          { workspaceId: run.workspaceId, runId: run.id, occurrence: run.occurrence, written },
          'push occurrence expanded',
        )
      } catch (err) {
        // Left where its last step committed; claimed again once its lease is over.
        log.error({ err, workspaceId: run.workspaceId, runId: run.id }, 'push send not expanded')
      }
    }
    return claimed.length
  }

  const poller = createPoller(runOnce, {
    pollMs,
    batch: SCHEDULER_BATCH,
    log,
    name: 'push scheduler',
  })
  return {
    runOnce,
    start: poller.start,
    stop: async () => {
      await poller.stop()
    },
  }
}
