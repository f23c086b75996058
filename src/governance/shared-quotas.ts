/**
 * The shared quota counter: one combined quota per workspace, quota and minute for every Inlet
 * process on one store (spec §5.1; several processes on PostgreSQL, or on one SQLite directory),
 * without a store round trip on the request path.
 *
 * Each process holds, per workspace and quota, a *lease*: units granted to it by the store's
 * count of the window (Store `quotas.lease`, atomic across processes), which it spends in memory.
 * A request whose units fit in the lease is answered at once. One that does not waits for one
 * lease round trip, shared with every request queued behind it; one that the last count seen says
 * cannot fit (`used` only grows within a window) is refused at once. When a lease runs low, the
 * next is fetched in the background, so under steady load requests rarely wait at all.
 *
 * Bounds, documented in the README: the store never grants past the limit, so the combined count
 * of accepted units is at most the limit (processes whose clocks disagree by δ may each count a
 * request at the minute's edge in a different window: at most δ's worth of traffic). Units leased
 * but not spent by the end of the window are lost: at most about `limit / 50` per process (a lease
 * is at most that, and at most 1/8 of what is left, so leases shrink as the window runs out). When
 * the store cannot be reached, a request that needs a lease fails (500) like its append would.
 */
import type { QuotaRepo, QuotaWindowKey } from '../store/store.js'
import {
  WINDOW_MS,
  fewest,
  windowStartOf,
  type Decision,
  type Demand,
  type QuotaCounter,
  type QuotaName,
  type QuotaStatus,
} from './quotas.js'

/** A lease is at most 1/LEASE_SHARE of the limit ... */
export const LEASE_SHARE = 50
/** ... and at most 1/REMAINING_SHARE of what the window has left. */
export const REMAINING_SHARE = 8

type Waiter = { need: number; settle: (granted: boolean | Error) => void }

type Slot = {
  key: QuotaWindowKey
  limit: number
  /** Units granted to this process in this window and not yet spent. */
  lease: number
  /** The window's count (all processes) as of the last lease: only grows within a window. */
  seenUsed: number
  /** Requests waiting for units, first come first served. */
  waiters: Waiter[]
  /** A background lease is wanted (the lease ran low). */
  prefetch: boolean
  /** A lease loop (run) is going: it sees every waiter queued before it ends. */
  active: boolean
}

export type SharedQuotaCounterDeps = Readonly<{
  quotas: QuotaRepo
  /** A background lease or prune failed (the requests that needed it got the error). */
  onError?: (err: unknown) => void
}>

export function createSharedQuotaCounter(deps: SharedQuotaCounterDeps): QuotaCounter {
  const slots = new Map<string, Map<QuotaName, Slot>>()
  const background = new Set<Promise<void>>()
  const onError = deps.onError ?? (() => undefined)
  let closed = false
  let prunedWindow = 0

  function track(work: Promise<void>): void {
    background.add(work)
    void work.finally(() => background.delete(work))
  }

  function slotOf(workspaceId: string, quota: QuotaName, limit: number, nowMs: number): Slot {
    const windowStart = windowStartOf(nowMs)
    let ofWorkspace = slots.get(workspaceId)
    if (ofWorkspace === undefined) {
      ofWorkspace = new Map()
      slots.set(workspaceId, ofWorkspace)
    }
    let slot = ofWorkspace.get(quota)
    if (slot === undefined || slot.key.windowStart !== windowStart) {
      slot = {
        key: { workspaceId, quota, windowStart },
        limit,
        lease: 0,
        seenUsed: 0,
        waiters: [],
        prefetch: false,
        active: false,
      }
      ofWorkspace.set(quota, slot)
      if (windowStart > prunedWindow && !closed) {
        // Once per window and process: the counts of windows before the previous one go.
        prunedWindow = windowStart
        track(deps.quotas.prune(windowStart - WINDOW_MS).then(() => undefined, onError))
      }
    }
    slot.limit = limit // the workspace's limit may change within a window
    return slot
  }

  /**
   * Units of the lease this process may spend: all of it, unless the limit was lowered below the
   * window's count, when what it spent plus everyone else's count must stay within the new limit
   * (the lease is kept whole in case the limit is raised again).
   */
  const spendable = (slot: Slot): number =>
    slot.limit >= slot.seenUsed
      ? slot.lease
      : Math.max(0, Math.min(slot.lease, slot.limit - (slot.seenUsed - slot.lease)))

  /** Units the store may still grant, as far as the last count seen says (an upper bound). */
  const poolLeft = (slot: Slot): number => Math.max(0, slot.limit - slot.seenUsed)

  function statusOf(slot: Slot, nowMs: number): QuotaStatus {
    return {
      quota: slot.key.quota as QuotaName, // slots are made from QuotaName keys only
      limit: slot.limit,
      remaining: spendable(slot) + poolLeft(slot),
      windowStart: slot.key.windowStart,
      resetMs: slot.key.windowStart + WINDOW_MS - nowMs,
    }
  }

  function chunkOf(slot: Slot): number {
    return Math.max(
      1,
      Math.min(Math.ceil(slot.limit / LEASE_SHARE), Math.ceil(poolLeft(slot) / REMAINING_SHARE)),
    )
  }

  /** Gives waiters at the head of the queue their units while the lease covers them. */
  function serve(slot: Slot): void {
    for (;;) {
      const head = slot.waiters[0]
      if (head === undefined || head.need > spendable(slot)) return
      slot.lease -= head.need
      slot.waiters.shift()
      head.settle(true)
    }
  }

  /** Refuses the waiters that the last count seen says cannot be given their units. */
  function refuseHopeless(slot: Slot): void {
    const keep: Waiter[] = []
    for (const w of slot.waiters) {
      if (w.need - spendable(slot) > poolLeft(slot)) w.settle(false)
      else keep.push(w)
    }
    slot.waiters = keep
  }

  /**
   * Leases until no request waits: each round settles the head waiter (granted or refused).
   * `active` is cleared in the same tick as the loop's last look at the queue (no await between),
   * so a request queued after that look starts a new run.
   */
  async function run(slot: Slot): Promise<void> {
    try {
      while (slot.waiters.length > 0 || slot.prefetch) {
        serve(slot)
        refuseHopeless(slot)
        const head = slot.waiters[0]
        if (head === undefined && !slot.prefetch) return
        slot.prefetch = false
        const need = head === undefined ? 1 : head.need - spendable(slot)
        const queued = slot.waiters.reduce((sum, w) => sum + w.need, 0) - spendable(slot)
        const want = Math.max(need, queued, chunkOf(slot))
        let granted: number
        try {
          const lease = await deps.quotas.lease({ ...slot.key, limit: slot.limit, need, want })
          granted = lease.granted
          slot.seenUsed = Math.max(slot.seenUsed, lease.used)
          slot.lease += lease.granted
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err))
          for (const w of slot.waiters.splice(0)) w.settle(error)
          onError(err)
          return
        }
        serve(slot)
        // Nothing granted: fewer than the head's units are left in the window.
        if (granted === 0 && head !== undefined && slot.waiters[0] === head) {
          slot.waiters.shift()
          head.settle(false)
        }
      }
    } finally {
      slot.active = false
    }
  }

  function kick(slot: Slot): void {
    if (slot.active || closed) return
    slot.active = true
    track(run(slot))
  }

  /** After a take from memory: fetch the next lease in the background when this one runs low. */
  function topUp(slot: Slot): void {
    if (spendable(slot) * 2 < chunkOf(slot) && poolLeft(slot) > 0 && !slot.active) {
      slot.prefetch = true
      kick(slot)
    }
  }

  function wait(slot: Slot, need: number): Promise<boolean> {
    if (closed) return Promise.reject(new Error('the quota counter is closed'))
    return new Promise<boolean>((resolve, reject) => {
      slot.waiters.push({
        need,
        settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
      })
      kick(slot)
    })
  }

  async function takeSlowly(
    parts: readonly { demand: Demand; slot: Slot }[],
    nowMs: number,
  ): Promise<Decision> {
    // Units already in the lease are set aside at once, so requests behind this one cannot take
    // them meanwhile; the rest is waited for. All or nothing: on a refusal, all go back.
    const held: { slot: Slot; units: number }[] = []
    const waits: Promise<boolean>[] = []
    const waited: { slot: Slot; units: number }[] = []
    for (const { demand, slot } of parts) {
      if (demand.amount <= spendable(slot) && slot.waiters.length === 0) {
        slot.lease -= demand.amount
        held.push({ slot, units: demand.amount })
      } else {
        waits.push(wait(slot, demand.amount))
        waited.push({ slot, units: demand.amount })
      }
    }
    const settled = await Promise.allSettled(waits)
    const results = settled.map((s, i) => {
      const part = waited[i] as { slot: Slot; units: number } // one result per wait
      if (s.status === 'fulfilled' && s.value) held.push(part)
      return { slot: part.slot, ok: s.status === 'fulfilled' && s.value, settled: s }
    })
    const failed = results.find((r) => r.settled.status === 'rejected')
    if (failed !== undefined && failed.settled.status === 'rejected') {
      giveBack(held)
      throw failed.settled.reason
    }
    const refused = results.find((r) => !r.ok)
    if (refused !== undefined) {
      giveBack(held)
      return { allowed: false, status: statusOf(refused.slot, nowMs) }
    }
    for (const { slot } of parts) topUp(slot)
    return { allowed: true, status: fewest(parts.map((p) => statusOf(p.slot, nowMs))) }
  }

  function giveBack(held: readonly { slot: Slot; units: number }[]): void {
    for (const { slot, units } of held) {
      slot.lease += units
      serve(slot)
    }
  }

  return {
    take(workspaceId, demands, limits, nowMs) {
      const parts = demands.map((demand) => ({
        demand,
        slot: slotOf(workspaceId, demand.quota, limits[demand.quota], nowMs),
      }))
      const counted = parts.filter((p) => p.demand.amount > 0)
      // The hot path: every demand fits in this process's lease, and nobody is queued before it.
      if (
        counted.every((p) => p.demand.amount <= spendable(p.slot) && p.slot.waiters.length === 0)
      ) {
        for (const { demand, slot } of counted) slot.lease -= demand.amount
        for (const { slot } of counted) topUp(slot)
        return { allowed: true, status: fewest(parts.map((p) => statusOf(p.slot, nowMs))) }
      }
      // Refused from memory: the window's last count seen leaves too little for some demand.
      for (const { demand, slot } of counted) {
        if (demand.amount > spendable(slot) + poolLeft(slot)) {
          return { allowed: false, status: statusOf(slot, nowMs) }
        }
      }
      return takeSlowly(counted, nowMs).then((decision) =>
        decision.allowed
          ? { allowed: true, status: fewest(parts.map((p) => statusOf(p.slot, nowMs))) }
          : decision,
      )
    },
    peek(workspaceId, quotas, limits, nowMs) {
      return fewest(quotas.map((q) => statusOf(slotOf(workspaceId, q, limits[q], nowMs), nowMs)))
    },
    async close() {
      closed = true
      while (background.size > 0) await Promise.allSettled([...background])
    },
  }
}
