/**
 * The calling thread's name and CPU priority. Each worker names itself (`inlet-processor`,
 * `inlet-log`, `inlet-outbox`, `inlet-checkpt`: what `top -H`, `ps -L` and the benchmark's thread
 * table show; Linux keeps 15 characters). Linux keeps a nice value per thread, so a worker can
 * lower its own priority without touching the process's other threads: the processor's thread
 * does (INLET_PROCESSOR_NICE), so that when the cores are contended the request thread and the
 * log writer — whose latency every waiting request feels — run first, and the processor applies
 * in what is left (docs/benchmarks.md, the 2026-12-05 12:30 section). Only lowering: raising a
 * priority needs privileges Inlet does not assume.
 */
import { readlinkSync, writeFileSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

export type ThreadPriority = Readonly<{ threadId: number; nice: number }>

/**
 * This thread's kernel id, from `/proc/thread-self` (Linux); undefined where there is none. Node
 * has no API for it: `threadId` is Node's own numbering of workers.
 */
export function kernelThreadId(): number | undefined {
  try {
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isInteger(id) && id > 0 ? id : undefined
  } catch {
    return undefined
  }
}

/**
 * Lowers this thread's priority by `by` nice steps (at most to 19, the lowest) and returns its id
 * and new nice value; undefined when the platform has no per-thread priority. Throws what the
 * kernel refuses (it does not refuse a lowering).
 */
export function lowerThisThread(by: number): ThreadPriority | undefined {
  const threadId = kernelThreadId()
  if (threadId === undefined) return undefined
  const nice = Math.min(19, getPriority(threadId) + Math.max(0, by))
  if (by > 0) setPriority(threadId, nice)
  return { threadId, nice: getPriority(threadId) }
}

/** Linux keeps at most 15 bytes of a thread's name. */
const MAX_THREAD_NAME = 15

/**
 * Names this thread `name` (Linux: its `comm`, at most 15 bytes); false where it cannot be named.
 * Only a worker should: the main thread's name is the process's in `ps`.
 */
export function nameThisThread(name: string): boolean {
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, MAX_THREAD_NAME))
    return true
  } catch {
    return false
  }
}
