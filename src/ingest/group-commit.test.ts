// Group commit: submissions that arrive together share one write, in submission order; a failed
// write fails only the submissions it held.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createGroupCommitter } from './group-commit.js'

type Deferred = { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void }

function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A write that records each call; `gate` lets a test hold a write in flight. */
function recordingWrite<T>(options: { failWhen?: (items: readonly T[]) => boolean } = {}) {
  const calls: T[][] = []
  let gate: Deferred | undefined
  const write = async (items: readonly T[]): Promise<void> => {
    calls.push([...items])
    if (gate !== undefined) await gate.promise
    if (options.failWhen?.(items) === true) throw new Error(`write failed: ${items.join(',')}`)
  }
  return {
    calls,
    write,
    hold: () => {
      gate = deferred()
      return gate
    },
    release: () => {
      const g = gate
      gate = undefined
      g?.resolve()
    },
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

describe('createGroupCommitter', () => {
  it('writes submissions made in the same tick with one write, in submission order', async () => {
    const w = recordingWrite<string>()
    const committer = createGroupCommitter(w.write)
    await Promise.all([
      committer.submit(['a1', 'a2']),
      committer.submit(['b1']),
      committer.submit(['c1', 'c2', 'c3']),
    ])
    assert.deepEqual(w.calls, [['a1', 'a2', 'b1', 'c1', 'c2', 'c3']])
    assert.deepEqual(committer.stats(), { batches: 1, items: 6 })
  })

  it('does not resolve a submission before its write has finished', async () => {
    const w = recordingWrite<string>()
    const committer = createGroupCommitter(w.write)
    w.hold()
    let done = false
    const submitted = committer.submit(['a']).then(() => {
      done = true
    })
    await tick()
    await tick()
    assert.deepEqual(w.calls, [['a']], 'the write has started')
    assert.equal(done, false, 'but the submission is not acknowledged yet')
    w.release()
    await submitted
    assert.equal(done, true)
  })

  it('gathers submissions made during a write into the next write, keeping order', async () => {
    const w = recordingWrite<number>()
    const committer = createGroupCommitter(w.write)
    w.hold()
    const first = committer.submit([1])
    await tick()
    assert.deepEqual(w.calls, [[1]])
    // While the first write is in flight, three more requests arrive across several ticks.
    const later = [committer.submit([2, 3])]
    await tick()
    later.push(committer.submit([4]))
    await tick()
    later.push(committer.submit([5, 6]))
    assert.equal(w.calls.length, 1, 'no second write while one is in flight')
    w.release()
    await Promise.all([first, ...later])
    assert.deepEqual(w.calls, [[1], [2, 3, 4, 5, 6]])
    assert.deepEqual(committer.stats(), { batches: 2, items: 6 })
  })

  it('starts the next write before the submitters of the finished one run', async () => {
    const w = recordingWrite<number>()
    const committer = createGroupCommitter(w.write)
    const firstWrite = w.hold()
    let writesWhenAnswered = -1
    const first = committer.submit([1]).then(() => {
      // The first request is answered here: the request that waited for it is being written.
      writesWhenAnswered = w.calls.length
    })
    await tick()
    const second = committer.submit([2])
    w.hold() // the second write waits here once it starts
    firstWrite.resolve()
    await first
    assert.equal(writesWhenAnswered, 2, 'the second write had started')
    assert.deepEqual(w.calls, [[1], [2]])
    w.release()
    await second
  })

  it('caps a write at maxItems without splitting a submission', async () => {
    const w = recordingWrite<number>()
    const committer = createGroupCommitter(w.write, { maxItems: 4 })
    await Promise.all([
      committer.submit([1, 2]),
      committer.submit([3]),
      committer.submit([4, 5]), // would make 5: waits for the next write
      committer.submit([6, 7, 8, 9, 10, 11]), // larger than the cap: a write of its own
      committer.submit([12]),
    ])
    assert.deepEqual(w.calls, [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10, 11], [12]])
    assert.deepEqual(committer.stats(), { batches: 4, items: 12 })
  })

  it('acknowledges an empty submission and adds nothing to the next write', async () => {
    const w = recordingWrite<string>()
    const committer = createGroupCommitter(w.write)
    await committer.submit([])
    await Promise.all([committer.submit([]), committer.submit(['x'])])
    assert.deepEqual(w.calls.at(-1), ['x'])
    assert.equal(committer.stats().items, 1)
  })

  it('rejects every submission of a failed write, and only those', async () => {
    const w = recordingWrite<string>({ failWhen: (items) => items.includes('bad') })
    const committer = createGroupCommitter(w.write)
    w.hold()
    const failing = [committer.submit(['ok-1']), committer.submit(['bad'])]
    await tick()
    // Arrives while the failing write is in flight: belongs to the next write.
    const afterwards = committer.submit(['ok-2'])
    w.release()
    const results = await Promise.allSettled(failing)
    for (const r of results) {
      assert.equal(r.status, 'rejected')
      assert.match(String(r.status === 'rejected' ? r.reason : ''), /write failed: ok-1,bad/)
    }
    await afterwards
    // And the committer keeps working after a failure.
    await committer.submit(['ok-3'])
    assert.deepEqual(w.calls, [['ok-1', 'bad'], ['ok-2'], ['ok-3']])
    assert.deepEqual(committer.stats(), { batches: 2, items: 2 }, 'the failed batch is not counted')
  })

  it('turns a write that throws synchronously into rejected submissions', async () => {
    let calls = 0
    const committer = createGroupCommitter<string>((items) => {
      calls++
      if (items.includes('boom')) throw new Error('sync boom')
      return Promise.resolve()
    })
    await assert.rejects(committer.submit(['boom']), /sync boom/)
    await committer.submit(['fine'])
    assert.equal(calls, 2)
  })

  it('flushed() waits for everything submitted so far, failed or not', async () => {
    const w = recordingWrite<string>({ failWhen: (items) => items.includes('bad') })
    const committer = createGroupCommitter(w.write)
    await committer.flushed() // nothing pending: resolves at once
    const settled: string[] = []
    const track = (name: string, p: Promise<void>): void => {
      p.then(
        () => settled.push(`${name} ok`),
        () => settled.push(`${name} failed`),
      )
    }
    w.hold()
    track('a', committer.submit(['a']))
    await tick()
    track('b', committer.submit(['bad']))
    const flushed = committer.flushed()
    await tick()
    w.release()
    await flushed
    await tick() // let the .then callbacks above run
    assert.deepEqual(settled, ['a ok', 'b failed'])
    assert.deepEqual(w.calls, [['a'], ['bad']])
  })
})
