// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, self
// time grouped by area (Fastify, SQLite, src/ folders, GC…), and the inclusive time of the request
// path's main functions. Used by bench/run.ts with BENCH_PROFILE=1; also runs alone:
// `npx tsx bench/profile.ts bench/results/inlet-events.cpuprofile`.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

type CallFrame = { functionName: string; url: string; lineNumber: number }
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] }
type CpuProfile = {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export type Share = Readonly<{ name: string; ms: number; percent: number }>

// A record type of its own; test/helpers/server.ts's RunningServer is alike in shape only.
export type ProfileSummary = Readonly<{
  file: string
  /** Which thread: 'request thread', or a worker named by the src/ folder it spent most in. */
  thread: string
  totalMs: number
  /** Time not idle: what the process spent working. */
  busyMs: number
  topSelf: readonly Share[]
  byArea: readonly Share[]
  inclusive: readonly Share[]
}>

/** Functions whose inclusive time says where a request's time goes. */
const INCLUSIVE = [
  'gateway',
  'verifyKey',
  'parseJsonObject',
  'accept',
  'parseEvent',
  'parseCustomer',
  'parseBulk',
  'flush',
  'append',
  'runBatch',
  'loadSnapshot',
  'commit',
  'applyRecord',
  'readAfter',
  'lagNow',
  'serialize',
]

function area(frame: CallFrame): string {
  const { url, functionName } = frame
  if (url === '') {
    if (functionName.startsWith('(')) return functionName
    return `native: ${functionName}`
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (pkg?.[1] !== undefined) return pkg[1]
  const src = /\/(src|dist)\/(.+)$/.exec(url)
  if (src?.[2] !== undefined) {
    const parts = src[2].split('/')
    return parts.length > 1 ? `src/${parts.slice(0, -1).join('/')}/` : `src/${parts[0] ?? ''}`
  }
  if (url.startsWith('node:')) return 'node internals'
  return url
}

export function summarise(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile // V8's own format
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (const [i, id] of profile.samples.entries()) {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  }
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0)
  const idleMs = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((sum, n) => sum + (self.get(n.id) ?? 0), 0)
  const busyMs = totalMs - idleMs
  const share = (name: string, ms: number): Share => ({
    name,
    ms: Math.round(ms),
    percent: Math.round((1000 * ms) / busyMs) / 10,
  })

  const fnSelf = new Map<string, number>()
  const areaSelf = new Map<string, number>()
  for (const n of profile.nodes) {
    const ms = self.get(n.id) ?? 0
    if (ms === 0 || n.callFrame.functionName === '(idle)') continue
    const f = n.callFrame
    const where =
      f.url === ''
        ? ''
        : ` ${f.url.replace(/^.*\/(node_modules|src|dist)\//, '$1/')}:${f.lineNumber + 1}`
    const key = `${f.functionName || '(anonymous)'}${where}`
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + ms)
    const a = area(f)
    areaSelf.set(a, (areaSelf.get(a) ?? 0) + ms)
  }

  // Inclusive time per watched function name, not counting a name again below itself.
  const inclusive = new Map<string, number>()
  const totals = new Map<number, number>()
  const totalOf = (id: number): number => {
    const known = totals.get(id)
    if (known !== undefined) return known
    const node = byId.get(id)
    let t = self.get(id) ?? 0
    for (const c of node?.children ?? []) t += totalOf(c)
    totals.set(id, t)
    return t
  }
  const root = profile.nodes[0]
  const walk = (id: number, open: ReadonlySet<string>): void => {
    const node = byId.get(id)
    if (node === undefined) return
    const name = node.callFrame.functionName
    let next = open
    if (INCLUSIVE.includes(name) && !open.has(name)) {
      inclusive.set(name, (inclusive.get(name) ?? 0) + totalOf(id))
      next = new Set([...open, name])
    }
    for (const c of node.children ?? []) walk(c, next)
  }
  if (root !== undefined) walk(root.id, new Set())

  const sorted = (m: Map<string, number>, n: number): Share[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => share(name, ms))
  return {
    file,
    thread: threadOf(file, areaSelf),
    totalMs: Math.round(totalMs),
    busyMs: Math.round(busyMs),
    topSelf: sorted(fnSelf, top),
    byArea: sorted(areaSelf, 15),
    inclusive: sorted(inclusive, INCLUSIVE.length),
  }
}

/**
 * `node --cpu-prof` names each thread's file CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile;
 * thread 0 is the request thread. Workers are named by what they ran most: the processor
 * (src/processor/…), the log writer (src/ingest/…).
 */
function threadOf(file: string, areaSelf: ReadonlyMap<string, number>): string {
  const tid = /\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1]
  if (tid === '0') return 'request thread'
  const ours = [...areaSelf.entries()]
    .filter(([a]) => a.startsWith('src/'))
    .sort((a, b) => b[1] - a[1])
  const busiest = ours.find(([a]) => /^src\/(processor|ingest)\//.test(a))?.[0] ?? ours[0]?.[0]
  const role = busiest?.startsWith('src/processor')
    ? 'processor'
    : busiest?.startsWith('src/ingest')
      ? 'log writer'
      : (busiest ?? 'idle')
  return `worker ${tid ?? '?'} (${role})`
}

/** Every thread's profile in a --cpu-prof directory, busiest first after the request thread. */
export function summariseThreads(dir: string): ProfileSummary[] {
  if (!existsSync(dir)) return []
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summarise(join(dir, f)))
    .filter((s) => s.busyMs > 50)
  return all.sort((a, b) =>
    a.thread === 'request thread' ? -1 : b.thread === 'request thread' ? 1 : b.busyMs - a.busyMs,
  )
}

export function formatSummary(s: ProfileSummary): string {
  const rows = (title: string, list: readonly Share[]): string =>
    [
      `| ${title} | ms | % of busy |`,
      '| --- | ---: | ---: |',
      ...list.map((x) => `| ${x.name.replaceAll('|', '\\|')} | ${x.ms} | ${x.percent} |`),
    ].join('\n')
  return [
    `Profile ${s.file}: ${s.busyMs} ms busy of ${s.totalMs} ms sampled`,
    '',
    rows('Top self time', s.topSelf),
    '',
    rows('Self time by area', s.byArea),
    '',
    rows('Inclusive time', s.inclusive),
  ].join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const file of process.argv.slice(2))
    process.stdout.write(formatSummary(summarise(file)) + '\n\n')
}
