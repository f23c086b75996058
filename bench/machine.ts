// Where the machine's CPU went during one load: how busy its cores were (/proc/stat), what the
// load generator (this process) and the server spent per request, and each server thread's share
// of a core. It tells a CPU-bound run from a latency-bound one, and splits a ratio to the
// baseline into what the CPU per request explains and what the idle cores explain.
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { cpuMsByCommand, procThreadCpuMs } from './processes.js'

/** The machine's CPU time so far, summed over its cores, in /proc/stat ticks. */
export type CpuTimes = Readonly<{ total: number; idle: number; ioWait: number; steal: number }>

/**
 * The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest
 * and guest_nice are already inside user and nice, so they are not added again).
 */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '))
  if (line === undefined) return null
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number)
  if (f.length < 8 || f.some((n) => !Number.isFinite(n))) return null
  const [, , , idle = 0, ioWait = 0, , , steal = 0] = f
  return { total: f.reduce((a, b) => a + b, 0), idle, ioWait, steal }
}

function readCpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'))
  } catch {
    return null // not Linux: the report says so with nulls
  }
}

export type MachineReport = {
  cores: number
  /** Share of all cores' time spent running anything (user, system, interrupts), in %. */
  busyPct: number | null
  idlePct: number | null
  /** Idle with disk I/O outstanding. */
  ioWaitPct: number | null
  /** Taken by the hypervisor for other machines. */
  stealPct: number | null
  /** CPU of the benchmark process (autocannon, plus its /healthz and RSS sampling) per 2xx. */
  loadGeneratorUsPerRequest: number
  /** CPU of the server process (all threads) during the load, per 2xx. */
  serverUsPerRequest: number
  /** CPU of this machine's `postgres` processes during the load, per 2xx (0: none ran). */
  databaseUsPerRequest: number
  /** Each server thread that ran, as % of one core over the load, busiest first. */
  serverThreadsPctOfCore: number[]
}

const pct = (part: number, whole: number): number | null =>
  whole <= 0 ? null : Math.round((1000 * part) / whole) / 10

/** The report for a load from two /proc/stat readings and the processes' CPU deltas. */
export function machineReport(
  input: Readonly<{
    before: CpuTimes | null
    after: CpuTimes | null
    cores: number
    requests: number
    seconds: number
    loadGeneratorCpuUs: number
    serverThreadsCpuMs: readonly number[]
    /** The database's processes (PostgreSQL); 0 or absent for SQLite. */
    databaseCpuMs?: number
  }>,
): MachineReport {
  const { before, after, requests, seconds } = input
  const d =
    before === null || after === null
      ? null
      : {
          total: after.total - before.total,
          idle: after.idle - before.idle,
          ioWait: after.ioWait - before.ioWait,
          steal: after.steal - before.steal,
        }
  const serverMs = input.serverThreadsCpuMs.reduce((a, b) => a + b, 0)
  const perRequest = (us: number): number =>
    requests === 0 ? 0 : Math.round((10 * us) / requests) / 10
  return {
    cores: input.cores,
    busyPct: d === null ? null : pct(d.total - d.idle - d.ioWait - d.steal, d.total),
    idlePct: d === null ? null : pct(d.idle, d.total),
    ioWaitPct: d === null ? null : pct(d.ioWait, d.total),
    stealPct: d === null ? null : pct(d.steal, d.total),
    loadGeneratorUsPerRequest: perRequest(input.loadGeneratorCpuUs),
    serverUsPerRequest: perRequest(serverMs * 1000),
    databaseUsPerRequest: perRequest((input.databaseCpuMs ?? 0) * 1000),
    serverThreadsPctOfCore: input.serverThreadsCpuMs
      .map((ms) => (seconds <= 0 ? 0 : Math.round(ms / seconds / 10)))
      .filter((p) => p > 0)
      .sort((a, b) => b - a),
  }
}

/** Starts measuring now; `stop` with the load's 2xx count and duration gives the report. */
export function sampleMachine(serverPid: number): {
  stop(requests: number, seconds: number): MachineReport
} {
  const before = readCpuTimes()
  const threadsBefore = procThreadCpuMs(serverPid)
  const databaseBefore = cpuMsByCommand('postgres')
  const cpuBefore = process.cpuUsage()
  return {
    stop: (requests, seconds) => {
      const own = process.cpuUsage(cpuBefore)
      const after = readCpuTimes()
      const threads = [...procThreadCpuMs(serverPid)].map(
        ([tid, ms]) => ms - (threadsBefore.get(tid) ?? 0),
      )
      let databaseCpuMs = 0
      for (const [pid, ms] of cpuMsByCommand('postgres')) {
        databaseCpuMs += ms - (databaseBefore.get(pid) ?? 0)
      }
      return machineReport({
        before,
        after,
        cores: cpus().length,
        requests,
        seconds,
        loadGeneratorCpuUs: own.user + own.system,
        serverThreadsCpuMs: threads,
        databaseCpuMs,
      })
    },
  }
}

/**
 * A ratio of two loads' req/s as the product of two factors: req/s = busy share × cores ÷ CPU per
 * request of what ran (load generator + server + database), so Inlet's ratio to the baseline = (baseline's
 * CPU per request ÷ Inlet's) × (Inlet's busy share ÷ the baseline's). Whatever else used the CPU
 * during a load (another process, the kernel's own threads) is in the busy share but in neither
 * CPU per request, and shows as the product straying from the measured ratio.
 */
export function ratioFactors(
  inlet: MachineReport,
  baseline: MachineReport,
): { cpuFactor: number; busyFactor: number | null } {
  const cost = (m: MachineReport): number =>
    m.loadGeneratorUsPerRequest + m.serverUsPerRequest + m.databaseUsPerRequest
  const cpuFactor = cost(inlet) === 0 ? 0 : Math.round((100 * cost(baseline)) / cost(inlet)) / 100
  const busyFactor =
    inlet.busyPct === null || baseline.busyPct === null || baseline.busyPct === 0
      ? null
      : Math.round((100 * inlet.busyPct) / baseline.busyPct) / 100
  return { cpuFactor, busyFactor }
}
