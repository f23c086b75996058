/**
 * The shutdown order of the composition root (issue 2, item 11): stop accepting, finish the
 * request in flight, flush the log, stop the processor, close the store — observed on a real
 * listening Inlet over a real SQLite directory, with its parts instrumented in place.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { loadConfig } from '../core/config.js'
import { createMemoryLogger } from '../core/log.js'
import { startInlet } from './server.js'

const WORKSPACE = 'SHUTDOWNORDER0001'
const KEY = 'shutdown-order-key-1'

it(
  'shuts down in order: stop accepting, finish in flight, flush, stop processor, close store',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'inlet-shutdown-order-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const config = loadConfig({
      INLET_DATA_DIR: dir,
      PORT: '0',
      INLET_WORKSPACE_ID: WORKSPACE,
      INLET_DATA_API_KEY: KEY,
      INLET_PROCESSOR_THREAD: 'inline',
      // The test holds the request's commit in store.log.append: the writer thread would bypass it.
      INLET_LOG_WRITER: 'inline',
    })
    const logger = createMemoryLogger()
    const inlet = await startInlet(config, { log: logger })
    const steps: string[] = []

    // Hold the request's log commit until released: it is in flight when shutdown starts.
    let release: () => void = () => undefined
    const released = new Promise<void>((resolve) => (release = resolve))
    let entered: () => void = () => undefined
    const inFlight = new Promise<void>((resolve) => (entered = resolve))
    const log = inlet.store.log
    const append = log.append.bind(log)
    Object.assign(log, {
      append: async (...args: Parameters<typeof append>) => {
        entered()
        await released
        const result = await append(...args)
        steps.push('request committed')
        return result
      },
    })
    const record = <T extends object, K extends keyof T>(
      target: T,
      name: K,
      step: string,
    ): void => {
      const original = target[name] as (...a: unknown[]) => Promise<unknown>
      Object.assign(target, {
        [name]: async (...a: unknown[]) => {
          steps.push(`${step}: listening=${String(inlet.app.server.listening)}`)
          return original.apply(target, a)
        },
      })
    }
    record(inlet.ingest, 'flushed', 'log flushed')
    record(inlet.processor, 'stop', 'processor stopped')
    record(inlet.store, 'close', 'store closed')

    const headers = {
      authorization: `Basic ${Buffer.from(`${WORKSPACE}:${KEY}`).toString('base64')}`,
      'content-type': 'application/json',
    }
    const answer = fetch(`${inlet.url}/v1/customer/${WORKSPACE}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'customer', customer_id: 'late', attributes: { a: 1 } }),
    })
    await inFlight
    const closed = inlet.close()
    steps.push('close called')
    // A new connection is no longer accepted once shutdown has begun.
    await assert.rejects(
      fetch(`${inlet.url}/healthz`, { headers: { connection: 'close' } }),
      'a new connection is refused',
    )
    release()
    const res = await answer
    assert.equal(res.status, 200, 'the request in flight is answered')
    assert.equal(((await res.json()) as { status: string }).status, 'success')
    await closed
    assert.deepEqual(steps, [
      'close called',
      'request committed',
      'log flushed: listening=false',
      'processor stopped: listening=false',
      'store closed: listening=false',
    ])
    // The in-flight request's keep-alive connection is closed once idle, not left to the timeout.
    assert.deepEqual(
      logger.lines.filter((l) => l.includes('shutdown timed out')),
      [],
    )
  },
)
