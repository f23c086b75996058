// The load shedder on its own: sheds past either bound with Retry-After, samples the lag at most
// once an interval without awaiting it, recovers when the sample is back under, and is off at 0.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createManualClock } from '../core/clock.js'
import { AppError } from '../core/errors.js'
import { createLoadShedder } from './load-shedding.js'

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
const shed = (err: unknown): boolean =>
  err instanceof AppError && err.code === 'overloaded' && err.headers['retry-after'] === '3'

describe('createLoadShedder', () => {
  it('sheds while the sampled lag is past its bound, and recovers', async () => {
    const clock = createManualClock(0)
    let lag = 0
    let reads = 0
    const shedder = createLoadShedder({
      lagRecords: 10,
      rssMb: 0,
      retryAfterSeconds: 3,
      lag: () => {
        reads++
        return Promise.resolve(lag)
      },
      clock,
      sampleEveryMs: 100,
    })
    shedder.check()
    await tick()
    lag = 11
    shedder.check() // within the interval: no new read
    assert.equal(reads, 1)
    clock.advance(100)
    shedder.check() // reads 11, judged on the old sample
    await tick()
    assert.throws(() => shedder.check(), shed)
    assert.equal(shedder.last().shedding, true)
    lag = 10
    clock.advance(100)
    assert.throws(() => shedder.check(), shed) // starts the read; still judged on 11
    await tick()
    shedder.check()
    assert.equal(shedder.shed(), 2)
  })

  it('sheds past the RSS bound; 0 turns each bound off', () => {
    const over = createLoadShedder({
      lagRecords: 0,
      rssMb: 100,
      retryAfterSeconds: 3,
      lag: () => Promise.reject(new Error('not read')),
      rss: () => 101 * 1024 * 1024,
    })
    assert.throws(() => over.check(), shed)
    const off = createLoadShedder({
      lagRecords: 0,
      rssMb: 0,
      retryAfterSeconds: 3,
      lag: () => Promise.resolve(1e9),
      rss: () => 1e12,
    })
    off.check()
  })
})
