/**
 * Starting Inlet's worker threads (the processor, the log writer, the outbox writer, the store checkpointer) from either build: the compiled
 * `.js` entry beside the caller once built, or under tsx (tests, `npm start`) the `.ts` entry
 * through tsx's loader registered inside the worker (a worker does not inherit the loader hooks of
 * its parent). Also the heap limits every worker runs with, so that a second and third V8 heap do
 * not grow the process without bound (docs/benchmarks.md: peak RSS under Bulk).
 */
import { Worker, type ResourceLimits } from 'node:worker_threads'

/**
 * Heap limits of a worker thread. Old space is generous (a worker that runs out is restarted);
 * the young generation is kept small: by default V8 sizes it for throughput and every worker's
 * semi-spaces then count in the resident set whether they are used or not.
 */
export const WORKER_RESOURCE_LIMITS = {
  /** Applies batches of up to INLET_PROCESSOR_BATCH_SIZE records with what they touch. */
  processor: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 8 },
  /** Holds one group commit at a time (at most MAX_ITEMS_PER_WRITE records, group-commit.ts). */
  logWriter: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
  /** Holds the sends of one group commit of the outbox (store/sqlite/outbox-writer.ts). */
  outboxWriter: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
  /** Holds nothing but its connection (store/sqlite/checkpointer.ts). */
  checkpointer: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
} as const satisfies Record<string, ResourceLimits>

/**
 * A worker thread's entry module: `base` is the `import.meta.url` of the module that names it,
 * `name` the entry's path from there without extension, e.g. './processor-thread'. Entries are
 * named by the composition root (server/), the only layer that may import every other.
 */
export type WorkerEntry = Readonly<{ base: string; name: string }>

/**
 * `base` is the caller's `import.meta.url`; `name` the entry without extension, e.g. './worker'.
 */
export function newWorker(
  base: string,
  name: string,
  workerData: unknown,
  resourceLimits: ResourceLimits,
): Worker {
  const options = { workerData, resourceLimits }
  if (!base.endsWith('.ts')) return new Worker(new URL(`${name}.js`, base), options)
  const entry = JSON.stringify(new URL(`${name}.ts`, base).href)
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const code = `import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}) })`
  return new Worker(code, { ...options, eval: true })
}

/**
 * An error as a worker thread posts it back: its message and, when it has one, its code (SQLite's
 * SQLITE_FULL, SQLITE_IOERR…), so the other side still answers a full disk as one.
 */
export function postedError(err: unknown): { message: string; code?: string } {
  const code = (err as { code?: unknown } | null)?.code
  return {
    message: err instanceof Error ? err.message : String(err),
    ...(typeof code === 'string' ? { code } : {}),
  }
}
