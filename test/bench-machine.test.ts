/**
 * The benchmark's CPU split (bench/machine.ts): /proc/stat parsing, the per-load report and the
 * ratio's two factors, on fixed numbers (the benchmark itself runs nowhere in `npm test`).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { machineReport, parseProcStat, ratioFactors, type CpuTimes } from '../bench/machine.js'

const STAT = [
  'cpu  4705 150 1120 16250 520 30 45 80 12 0',
  'cpu0 2350 75 560 8125 260 15 22 40 6 0',
  'intr 114930548 113199788 3 0 5 263 0 4 [... 50 more items]',
].join('\n')

describe('parseProcStat', () => {
  it('sums the aggregate line without counting guest time twice', () => {
    assert.deepEqual(parseProcStat(STAT), {
      total: 4705 + 150 + 1120 + 16250 + 520 + 30 + 45 + 80,
      idle: 16250,
      ioWait: 520,
      steal: 80,
    })
  })

  it('gives null for text without a cpu line or with a short one', () => {
    assert.equal(parseProcStat('intr 1 2 3\n'), null)
    assert.equal(parseProcStat('cpu  1 2 3\n'), null)
    assert.equal(parseProcStat('cpu  a b c d e f g h\n'), null)
  })
})

describe('machineReport', () => {
  const before: CpuTimes = { total: 1000, idle: 100, ioWait: 0, steal: 0 }
  const after: CpuTimes = { total: 3000, idle: 400, ioWait: 100, steal: 20 }

  it('splits the cores time and the CPU per request over the load', () => {
    const m = machineReport({
      before,
      after,
      cores: 2,
      requests: 4_000,
      seconds: 10,
      loadGeneratorCpuUs: 480_000,
      serverThreadsCpuMs: [0, 300, 6_100, 1_000.4, 2],
    })
    assert.deepEqual(m, {
      cores: 2,
      busyPct: 79, // (2000 - 300 idle - 100 I/O wait - 20 steal) / 2000
      idlePct: 15,
      ioWaitPct: 5,
      stealPct: 1,
      loadGeneratorUsPerRequest: 120,
      serverUsPerRequest: 1_850.6, // 7,402.4 ms over 4,000 requests
      databaseUsPerRequest: 0,
      // threads under 0.5 % of a core are left out; busiest first
      serverThreadsPctOfCore: [61, 10, 3],
    })
  })

  it('reports nulls without /proc/stat and zeros without requests', () => {
    const m = machineReport({
      before: null,
      after,
      cores: 2,
      requests: 0,
      seconds: 0,
      loadGeneratorCpuUs: 10,
      serverThreadsCpuMs: [5],
    })
    assert.equal(m.busyPct, null)
    assert.equal(m.idlePct, null)
    assert.equal(m.loadGeneratorUsPerRequest, 0)
    assert.equal(m.serverUsPerRequest, 0)
    assert.deepEqual(m.serverThreadsPctOfCore, [], 'no duration, no share of a core')
  })
})

describe('ratioFactors', () => {
  const report = (busyPct: number, generator: number, server: number) =>
    machineReport({
      before: { total: 0, idle: 0, ioWait: 0, steal: 0 },
      after: { total: 1000, idle: 1000 - busyPct * 10, ioWait: 0, steal: 0 },
      cores: 2,
      requests: 1_000,
      seconds: 1,
      loadGeneratorCpuUs: generator * 1_000,
      serverThreadsCpuMs: [server],
    })

  it('explains a CPU-bound ratio by the CPU per request and an idle one by the busy share', () => {
    // req/s = busy × 2 cores ÷ CPU per request: baseline 0.9 × 2e6 / 200 µs = 9,000 req/s;
    // Inlet 0.72 × 2e6 / 400 µs = 3,600 req/s, a ratio of 0.40.
    const baseline = report(90, 100, 100)
    const inlet = report(72, 120, 280)
    const f = ratioFactors(inlet, baseline)
    assert.deepEqual(f, { cpuFactor: 0.5, busyFactor: 0.8 })
    assert.equal(Math.round(100 * f.cpuFactor * (f.busyFactor ?? 0)) / 100, 0.4)
  })

  it("counts the database's CPU per request with the server's", () => {
    // PostgreSQL's backends are other processes: 280 µs of Inlet + 100 of the database.
    const baseline = report(90, 100, 100)
    const inlet = { ...report(72, 120, 180), databaseUsPerRequest: 100 }
    assert.deepEqual(ratioFactors(inlet, baseline), { cpuFactor: 0.5, busyFactor: 0.8 })
  })

  it('has no busy factor when a run could not read /proc/stat', () => {
    const baseline = { ...report(90, 100, 100), busyPct: null }
    assert.equal(ratioFactors(report(72, 120, 280), baseline).busyFactor, null)
  })
})
