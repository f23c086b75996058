// The benchmark's child processes: starting the baseline server and Inlet, waiting for the URL they
// print, sampling their memory from /proc, and stopping them with SIGTERM (Inlet shuts down
// gracefully, which also lets `--cpu-prof` write its profile).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { distEntry, distIsFresh } from '../scripts/fresh-build.js'

export const ROOT = join(import.meta.dirname, '..')

export type Child = Readonly<{
  name: string
  url: string
  pid: number
  process: ChildProcess
  /** Everything the child wrote to stderr (and stdout after its URL line), for error reports. */
  output(): string
  stop(timeoutMs?: number): Promise<number | null>
}>

export type StartOptions = Readonly<{
  name: string
  args: readonly string[]
  env: Readonly<Record<string, string>>
  /** Matches the line announcing the URL; group 1 is the URL. */
  urlPattern: RegExp
  timeoutMs?: number
}>

/** Children still running, killed if the benchmark itself exits or is interrupted. */
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL')
    process.exit(130)
  })
}

export function startChild(options: StartOptions): Promise<Child> {
  const child = spawn(process.execPath, [...options.args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let output = ''
  const keep = (chunk: Buffer): void => {
    output += chunk.toString('utf8')
    // Only the tail is kept for error reports: a long run must not grow without bound.
    if (output.length > 256 * 1024) output = output.slice(-128 * 1024)
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `${options.name} did not start within ${options.timeoutMs ?? 30_000} ms:\n${output}`,
        ),
      )
    }, options.timeoutMs ?? 30_000)
    child.stderr.on('data', keep)
    let listening = false
    child.stdout.on('data', (chunk: Buffer) => {
      keep(chunk)
      if (listening) return
      const match = options.urlPattern.exec(output)
      if (match?.[1] === undefined || child.pid === undefined) return
      clearTimeout(timer)
      listening = true
      const url = match[1]
      const pid = child.pid
      resolve({
        name: options.name,
        url,
        pid,
        process: child,
        output: () => output,
        stop: async (timeoutMs = 30_000) => {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
          child.kill('SIGTERM')
          const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
          const code = await exited
          clearTimeout(killer)
          return code
        },
      })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${options.name} exited with code ${code} before it listened:\n${output}`))
    })
  })
}

export function startBaseline(): Promise<Child> {
  return startChild({
    name: 'baseline',
    args: ['--import', 'tsx', join(ROOT, 'bench', 'baseline.ts')],
    env: { PORT: '0' },
    urlPattern: /baseline listening on (http:\/\/\S+)/,
  })
}

export type InletEntry = Readonly<{ args: string[]; from: 'dist' | 'src' }>

/** Each checkout's entry, decided at its first start in this run (inletEntry). */
const entries = new Map<string, InletEntry>()

/**
 * How Inlet is run: the built dist, as `npm start` and `inlet serve` run it, built first (`npm run
 * build` in that checkout) when any source file is newer; with the node flags of the `inlet`
 * binary's shebang line. BENCH_INLET=src runs the sources through tsx instead (which measures
 * other numbers: ~90 MB more RSS under Bulk, every thread loading tsx). `root`: the checkout to
 * run (default this one; bench/ab.ts compares two). Decided once per checkout and run: a source
 * file saved during a run does not rebuild or switch the later scenarios.
 */
export function inletEntry(root = ROOT): InletEntry {
  const known = entries.get(root)
  if (known !== undefined) return known
  const entry = decideEntry(root)
  entries.set(root, entry)
  return entry
}

function decideEntry(root: string): InletEntry {
  const main = join(root, 'src', 'cli', 'main.ts')
  const flags = nodeFlagsOf(readFileSync(main, 'utf8'))
  if (process.env['BENCH_INLET'] === 'src') {
    return { args: [...flags, '--import', 'tsx', main, 'serve'], from: 'src' }
  }
  if (process.env['BENCH_INLET'] !== 'dist' && !distIsFresh(root)) {
    process.stderr.write(`bench: building ${root} (src/ is newer than dist/)\n`)
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' })
  }
  return { args: [...flags, distEntry(root), 'serve'], from: 'dist' }
}

/** The flags of a `#!/usr/bin/env -S node --flag …` line. */
export function nodeFlagsOf(source: string): string[] {
  const shebang = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)\n/.exec(source)
  return (
    shebang?.[1]
      ?.trim()
      .split(/\s+/)
      .filter((f) => f !== '') ?? []
  )
}

export type InletOptions = Readonly<{
  dataDir: string
  workspaceId: string
  apiKey: string
  env?: Readonly<Record<string, string>>
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: readonly string[]
  /** The checkout whose Inlet runs (default this one), with its own node_modules. */
  root?: string
}>

export function startInlet(options: InletOptions): Promise<Child> {
  const entry = inletEntry(options.root)
  return startChild({
    name: 'inlet',
    args: [...(options.nodeArgs ?? []), ...entry.args],
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      INLET_DATA_DIR: options.dataDir,
      INLET_WORKSPACE_ID: options.workspaceId,
      INLET_DATA_API_KEY: options.apiKey,
      // Quotas off unless --inlet-env INLET_RATE_LIMITS=on (run.ts then raises them all).
      INLET_RATE_LIMITS: 'off',
      // No load shedding on the lag either (docs/benchmarks.md): Bulk is accepted faster than it
      // is applied, and the benchmark measures what ingest sustains, not the 2M-record bound.
      INLET_SHED_LAG_RECORDS: '0',
      INLET_DURABILITY: 'fsync',
      ...options.env,
    },
    urlPattern: /serving the MoEngage Data API on (http:\/\/\S+)/,
  })
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), or 0 when the process is gone. */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
    return match?.[1] === undefined ? 0 : Number(match[1]) * 1024
  } catch {
    return 0
  }
}

/** CPU ms (user + system) in a /proc stat file; 0 when it is gone. */
function statCpuMs(path: string): number {
  try {
    // Fields after the command name (which may hold spaces, so split after its ')').
    const stat = readFileSync(path, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14, 15)
    return (ticks * 1000) / 100 // USER_HZ is 100 on Linux
  } catch {
    return 0
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export function procCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`)
}

/**
 * CPU ms used so far by every process whose command name is `command` (e.g. `postgres`: the
 * cluster the PostgreSQL runs use, when it runs on this machine), by pid.
 */
export function cpuMsByCommand(command: string): Map<number, number> {
  const out = new Map<number, number>()
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return out // not Linux
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== command) continue
    } catch {
      continue // gone
    }
    out.set(Number(pid), statCpuMs(`/proc/${pid}/stat`))
  }
  return out
}

/** CPU ms used so far by each thread of a process, by thread id (the main thread's is `pid`). */
export function procThreadCpuMs(pid: number): Map<number, number> {
  const out = new Map<number, number>()
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      out.set(Number(tid), statCpuMs(`/proc/${pid}/task/${tid}/stat`))
    }
  } catch {
    // gone
  }
  return out
}

/** Each thread's name (`comm`: Inlet's workers name themselves, core/thread-priority.ts). */
export function procThreadNames(pid: number): Map<number, string> {
  const out = new Map<number, string>()
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      out.set(Number(tid), readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim())
    }
  } catch {
    // gone
  }
  return out
}

/** Samples a process's RSS every `everyMs`; `stop()` returns the peak (VmHWM when readable). */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let peak = 0
  const timer = setInterval(() => {
    peak = Math.max(peak, procStatusBytes(pid, 'VmRSS'))
  }, everyMs)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.max(peak, procStatusBytes(pid, 'VmHWM'), procStatusBytes(pid, 'VmRSS'))
    },
  }
}
