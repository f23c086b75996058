/**
 * The shared quota counter: one combined quota per workspace, quota and window for every Inlet
 * process on one store (spec §5.1; several processes on PostgreSQL, or on one SQLite directory),
 * without a store round trip on the request path.
 *
 * Each process holds, per workspace, quota and window, a *lease*: units granted to it by the
 * store's count of the window's current count (Store `quotas.lease`, atomic across processes),
 * which it spends in memory. A request must fit every window of every quota it spends; a request
 * whose units fit in the leases is answered at once. One that does not waits for one lease round
 * trip per window short of units, shared with every request queued behind it; one that the last
 * count seen says cannot fit (`used` only grows within a count) is refused at once. When a lease
 * runs low, the next is fetched in the background, so under steady load requests rarely wait.
 *
 * Windows (quotas.ts): a fixed window is one count in the store per window; a rolling window is
 * one count per slice, leased with `overlapping` so that the store limits their sum in force. A
 * rolling window's lease belongs to its slice: when the slice turns, the units not spent are given
 * back to the store with the next lease (`giveBack`), so slices do not leak leases.
 *
 * Bounds, documented in the README: the store never grants past the limit, so the combined count
 * of accepted units is at most the limit of each window (processes whose clocks disagree by δ may
 * each count a request at a fixed window's edge in a different window: at most δ's worth of
 * traffic; a rolling window's store check covers later slices too, so skew costs it nothing).
 * Units leased but not spent by the end of a window are lost: at most about `limit / 50` per
 * process (a lease is at most that, and at most 1/8 of what is left, so leases shrink as the
 * window runs out); a rolling window loses them only for a process that stops receiving requests.
 * When the store cannot be reached, a request that needs a lease fails (500) like its append would.
 */
import type { QuotaRepo, QuotaWindowKey } from '../store/store.js'
import {
  WINDOW_MS,
  countedWindows,
  latestReset,
  mostConstrained,
  sameShape,
  specOf,
  windowStartOf,
  windowStatus,
  type CountedWindow,
  type Decision,
  type Demand,
  type QuotaCounter,
  type QuotaSpec,
  type QuotaStatus,
  declaredEntry,
} from './quotas.js'

/** A lease is at most 1/LEASE_SHARE of the limit ... */
export const LEASE_SHARE = 50
/** ... and at most 1/REMAINING_SHARE of what the window has left. */
export const REMAINING_SHARE = 8

type Waiter = { need: number; settle: (granted: boolean | Error) => void }

type Slot = {
  /** The store's count this slot leases from: `windowMs` is the window's span. */
  key: QuotaWindowKey & { windowMs: number }
  quota: string
  window: CountedWindow
  limit: number
  /** Units granted to this process in this count and not yet spent. */
  lease: number
  /** What the store's limit applied to as of the last lease: only grows within a count. */
  seenUsed: number
  /** Requests waiting for units, first come first served. */
  waiters: Waiter[]
  /** A background lease is wanted (the lease ran low). */
  prefetch: boolean
  /** A lease loop (run) is going: it sees every waiter queued before it ends. */
  active: boolean
  /** Rolling: the previous slice's unspent lease, given back with this slot's first lease. */
  giveBack: { windowStart: number; units: number } | undefined
}

/** One quota of one workspace: its declaration and one slot per window. */
type Entry = { spec: QuotaSpec; windows: readonly CountedWindow[]; slots: Slot[] }

type Part = { demand: Demand; slot: Slot }

export type SharedQuotaCounterDeps = Readonly<{
  quotas: QuotaRepo
  /** A background lease or prune failed (the requests that needed it got the error). */
  onError?: (err: unknown) => void
}>

export function createSharedQuotaCounter(deps: SharedQuotaCounterDeps): QuotaCounter {
  const entries = new Map<string, Map<string, Entry>>()
  const background = new Set<Promise<void>>()
  const onError = deps.onError ?? (() => undefined)
  let closed = false
  let prunedWindow = 0

  function track(work: Promise<void>): void {
    background.add(work)
    void work.finally(() => background.delete(work))
  }

  /** Once a minute and process: the counts no longer in force a minute ago go (every span). */
  function prune(nowMs: number): void {
    const minute = windowStartOf(nowMs)
    if (minute <= prunedWindow || closed) return
    prunedWindow = minute
    track(deps.quotas.prune(minute - WINDOW_MS).then(() => undefined, onError))
  }

  function newSlot(workspaceId: string, quota: string, window: CountedWindow, nowMs: number): Slot {
    return {
      key: {
        workspaceId,
        quota,
        windowMs: window.spanMs,
        windowStart: windowStartOf(nowMs, window.countMs),
      },
      quota,
      window,
      limit: window.limit,
      lease: 0,
      seenUsed: 0,
      waiters: [],
      prefetch: false,
      active: false,
      giveBack: undefined,
    }
  }

  /** The slot of the count after `old`'s; a rolling window's unspent lease goes back with it. */
  function renew(old: Slot, nowMs: number): Slot {
    const slot = newSlot(old.key.workspaceId, old.quota, old.window, nowMs)
    slot.limit = old.limit
    if (old.window.kind === 'rolling') {
      if (old.giveBack !== undefined) {
        slot.giveBack = old.giveBack // the previous slice leased nothing: still owed
      } else if (old.lease > 0 && old.waiters.length === 0 && !old.active) {
        // Idle: nothing can spend these units any more. (A slot still serving its queue keeps
        // them; they are lost, at most one lease.)
        slot.giveBack = { windowStart: old.key.windowStart, units: old.lease }
        old.lease = 0
      }
    }
    prune(nowMs)
    return slot
  }

  function slotsOf(workspaceId: string, quota: string, spec: QuotaSpec, nowMs: number): Slot[] {
    const entry = declaredEntry(entries, workspaceId, quota, spec, (old) =>
      redeclared(workspaceId, quota, old, spec, nowMs),
    )
    const slots = entry.slots
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot // i < length
      if (slot.key.windowStart !== windowStartOf(nowMs, slot.window.countMs)) {
        slots[i] = renew(slot, nowMs)
      }
    }
    return slots
  }

  /**
   * A quota met for the first time, or declared anew (the workspace's limit may change within a
   * window): slots of the same windows are kept with their leases, the limits updated.
   */
  function redeclared(
    workspaceId: string,
    quota: string,
    entry: Entry | undefined,
    spec: QuotaSpec,
    nowMs: number,
  ): Entry {
    const windows = countedWindows(spec)
    if (entry !== undefined && sameShape(entry.windows, windows)) {
      for (const [i, slot] of entry.slots.entries()) {
        const w = windows[i] ?? slot.window // same shape: one window per slot
        slot.window = w
        slot.limit = w.limit
      }
      return { spec, windows, slots: entry.slots }
    }
    prune(nowMs)
    return { spec, windows, slots: windows.map((w) => newSlot(workspaceId, quota, w, nowMs)) }
  }

  /**
   * Units of the lease this process may spend: all of it, unless the limit was lowered below the
   * count seen, when what it spent plus everyone else's count must stay within the new limit
   * (the lease is kept whole in case the limit is raised again).
   */
  const spendable = (slot: Slot): number =>
    slot.limit >= slot.seenUsed
      ? slot.lease
      : Math.max(0, Math.min(slot.lease, slot.limit - (slot.seenUsed - slot.lease)))

  /** Units the store may still grant, as far as the last count seen says (an upper bound). */
  const poolLeft = (slot: Slot): number => Math.max(0, slot.limit - slot.seenUsed)

  const statusOf = (slot: Slot, nowMs: number): QuotaStatus =>
    windowStatus(
      slot.quota,
      slot.window,
      slot.limit,
      slot.key.windowStart,
      spendable(slot) + poolLeft(slot),
      nowMs,
    )

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
        const giveBack = slot.giveBack
        slot.giveBack = undefined
        let granted: number
        try {
          const lease = await deps.quotas.lease({
            ...slot.key,
            limit: slot.limit,
            need,
            want,
            ...(slot.window.kind === 'rolling' ? { overlapping: true } : {}),
            ...(giveBack === undefined ? {} : { giveBack }),
          })
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

  async function takeSlowly(parts: readonly Part[], nowMs: number): Promise<Decision> {
    // Units already in a lease are set aside at once, so requests behind this one cannot take
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
    const refused = results.filter((r) => !r.ok)
    if (refused.length > 0) {
      giveBack(held)
      return { allowed: false, status: latestReset(refused.map((r) => statusOf(r.slot, nowMs))) }
    }
    for (const { slot } of parts) topUp(slot)
    return { allowed: true, status: mostConstrained(parts.map((p) => statusOf(p.slot, nowMs))) }
  }

  function giveBack(held: readonly { slot: Slot; units: number }[]): void {
    for (const { slot, units } of held) {
      slot.lease += units
      serve(slot)
    }
  }

  return {
    take(workspaceId, demands, limits, nowMs) {
      const parts: Part[] = []
      for (const demand of demands) {
        const slots = slotsOf(workspaceId, demand.quota, specOf(limits, demand.quota), nowMs)
        for (const slot of slots) parts.push({ demand, slot })
      }
      const counted = parts.filter((p) => p.demand.amount > 0)
      // The hot path: every demand fits in this process's leases, and nobody is queued before it.
      if (
        counted.every((p) => p.demand.amount <= spendable(p.slot) && p.slot.waiters.length === 0)
      ) {
        for (const { demand, slot } of counted) slot.lease -= demand.amount
        for (const { slot } of counted) topUp(slot)
        return {
          allowed: true,
          status: mostConstrained(parts.map((p) => statusOf(p.slot, nowMs))),
        }
      }
      // Refused from memory: the last counts seen leave too little for some demand.
      const hopeless = counted.filter((p) => p.demand.amount > spendable(p.slot) + poolLeft(p.slot))
      if (hopeless.length > 0) {
        return {
          allowed: false,
          status: latestReset(hopeless.map((p) => statusOf(p.slot, nowMs))),
        }
      }
      return takeSlowly(counted, nowMs).then((decision) =>
        decision.allowed
          ? { allowed: true, status: mostConstrained(parts.map((p) => statusOf(p.slot, nowMs))) }
          : decision,
      )
    },
    peek(workspaceId, quotas, limits, nowMs) {
      const statuses: QuotaStatus[] = []
      for (const quota of quotas) {
        for (const slot of slotsOf(workspaceId, quota, specOf(limits, quota), nowMs)) {
          statuses.push(statusOf(slot, nowMs))
        }
      }
      return mostConstrained(statuses)
    },
    async close() {
      closed = true
      while (background.size > 0) await Promise.allSettled([...background])
    },
  }
}
