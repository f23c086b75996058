/**
 * The deletion sweeper (spec §7.8's buffer): finds scheduled deletions that have fallen due and
 * logs a `delete` record for each, so that the processor carries them out in log order with every
 * other write (never behind its back). A record logged twice — two processes, or a sweep before the
 * processor caught up — is harmless: the second finds the user gone and is skipped.
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import type { Ingest } from '../ingest/accept.js'
import type { Logger } from '../core/log.js'
import type { Store } from '../store/store.js'

export const SWEEP_EVERY_MS = 1_000
const SWEEP_LIMIT = 500

export type DeletionSweeper = Readonly<{
  /** Logs the deletions due now that this sweeper has not logged yet; returns how many. */
  sweep(): Promise<number>
  /** Sweeps every SWEEP_EVERY_MS until stopped. */
  start(): void
  stop(): void
}>

export function createDeletionSweeper(deps: {
  store: Store
  ingest: Ingest
  clock: Clock
  ids: IdGenerator
  log: Logger
}): DeletionSweeper {
  /** Deletions already logged and not yet carried out, by workspace, user and scheduling record. */
  let logged = new Set<string>()
  let timer: NodeJS.Timeout | undefined

  async function sweep(): Promise<number> {
    const due = await deps.store.processing.dueDeletions(deps.clock.now(), SWEEP_LIMIT)
    const still = new Set<string>()
    const byWorkspace = new Map<string, typeof due>()
    for (const d of due) {
      const key = `${d.workspaceId}\u0000${d.userId}\u0000${d.seq}`
      still.add(key)
      if (logged.has(key)) continue
      byWorkspace.set(d.workspaceId, [...(byWorkspace.get(d.workspaceId) ?? []), d])
    }
    logged = new Set([...logged].filter((key) => still.has(key)))
    let count = 0
    for (const [workspaceId, deletions] of byWorkspace) {
      await deps.ingest.accept(
        { workspaceId, requestId: deps.ids.requestId(), api: 'scheduled' },
        deletions.map((d) => ({
          kind: 'delete' as const,
          customerId: null,
          payload: {
            user_id: d.userId,
            identity_type: 'id',
            identity_value: d.userId,
            due_at: d.dueAt,
            swept: true,
          },
        })),
      )
      for (const d of deletions) logged.add(`${d.workspaceId}\u0000${d.userId}\u0000${d.seq}`)
      count += deletions.length
    }
    return count
  }

  return {
    sweep,
    start: () => {
      timer ??= setInterval(() => {
        sweep().catch((err: unknown) => deps.log.error({ err }, 'deletion sweep failed'))
      }, SWEEP_EVERY_MS)
      timer.unref()
    },
    stop: () => {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
  }
}
