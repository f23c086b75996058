/**
 * `GET /healthz`: the process is serving, and how far behind the processor is (ingestion lag:
 * records accepted and not yet applied, and the age of the oldest). Holds no workspace data, so it
 * needs no credentials.
 */
import type { FastifyInstance } from 'fastify'
import type { Ingest } from '../ingest/accept.js'
import type { Processor } from '../processor/processor.js'
import type { LoadShedder } from './load-shedding.js'

export function healthRoutes(
  app: FastifyInstance,
  deps: Readonly<{
    ingest: Ingest
    processor: Processor
    processorEnabled: boolean
    /** What this process does (INLET_ROLE); absent: `all`. */
    role?: string
    shedder?: LoadShedder
  }>,
): void {
  app.get('/healthz', async () => {
    const lag = await deps.processor.lag()
    return {
      status: 'ok',
      role: deps.role ?? 'all',
      lag: { records: lag.records, oldest_ms: lag.oldestMs },
      ingest: deps.ingest.stats(),
      processor: { enabled: deps.processorEnabled, ...deps.processor.stats() },
      memory: { rss_bytes: process.memoryUsage.rss() },
      ...(deps.shedder === undefined ? {} : { shedding: sheddingOf(deps.shedder) }),
    }
  })
}

/** Whether requests are shed now, judged by the last sample (its lag), and how many were shed. */
function sheddingOf(shedder: LoadShedder) {
  const last = shedder.last()
  return { active: last.shedding, lag_records: last.lagRecords, shed: shedder.shed() }
}
