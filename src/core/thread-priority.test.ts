// A worker thread names itself and lowers its own priority, and only its own: the process's other
// threads keep theirs (read back from /proc, the kernel's view).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { it } from 'node:test'
import { getPriority } from 'node:os'
import { kernelThreadId } from './thread-priority.js'

/** The nice value of thread `id` of this process, as the kernel reports it (stat field 19). */
function niceOf(id: number): number {
  const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

it('lowers the calling worker thread only', { skip: kernelThreadId() === undefined }, async () => {
  const main = kernelThreadId() as number // not skipped: there is one
  const before = getPriority(main)
  const entry = JSON.stringify(new URL('./thread-priority.ts', import.meta.url).href)
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const code = `
    const { parentPort } = await import('node:worker_threads')
    const tsx = await import(${tsx}); tsx.register()
    const { lowerThisThread, nameThisThread } = await import(${entry})
    nameThisThread('inlet-test-thread-named-at-length')
    parentPort.postMessage(lowerThisThread(7))
    await new Promise((resolve) => parentPort.once('message', resolve))`
  const worker = new Worker(code, { eval: true })
  const lowered = await new Promise<{ threadId: number; nice: number }>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  try {
    assert.notEqual(lowered.threadId, main)
    assert.equal(lowered.nice, Math.min(19, before + 7))
    assert.equal(niceOf(lowered.threadId), lowered.nice, 'the kernel has the worker lowered')
    assert.equal(niceOf(main), before, 'and the main thread as it was')
    const comm = (id: number) => readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim()
    assert.equal(comm(lowered.threadId), 'inlet-test-thre', 'named, cut to 15 bytes')
    assert.notEqual(comm(main), 'inlet-test-thre')
  } finally {
    worker.postMessage('done')
    await worker.terminate()
  }
})
