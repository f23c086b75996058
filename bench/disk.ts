// Bytes on disk per stored event: restarts Inlet on a scenario's data directory with a log
// retention of 0 (the processor compacts the log on its first pass after start), waits until the
// applied log records are deleted, stops it (closing checkpoints the WAL), then measures the files.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { startInlet, type InletOptions } from './processes.js'

export type DbFile = Readonly<{
  file: string
  bytes: number
  /** Bytes of pages in use: file size minus the free pages SQLite keeps for reuse. */
  liveBytes: number
  /** Bytes by table or index (dbstat), largest first. */
  tables: Readonly<Record<string, number>>
}>

export type DiskReport = Readonly<{
  events: number
  users: number
  devices: number
  logRecordsLeft: number
  /** Every file in the data directory (log.db, store.db and any -wal / -shm left). */
  totalBytes: number
  /** The same without SQLite's free pages (what a VACUUM would leave). */
  liveBytes: number
  /**
   * The figure of the goal: log.db's pages in use after compaction + the events table + its index,
   * per event. Profiles (users, devices) are not counted: they grow with users, not events.
   */
  bytesPerEvent: number
  /** events table + its index, per event: the event row alone. */
  eventTableBytesPerEvent: number
  /** liveBytes / events: every table, profiles included, without free pages. */
  liveBytesPerEvent: number
  /** totalBytes / events: the files as they are, free pages of the compacted log included. */
  fileBytesPerEvent: number
  files: readonly DbFile[]
}>

function count(db: Database.Database, table: string): number {
  return Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get())
}

export async function compactLog(options: InletOptions, timeoutMs = 20_000): Promise<number> {
  const inlet = await startInlet({
    ...options,
    env: { ...options.env, INLET_LOG_RETENTION_SECONDS: '0' },
    nodeArgs: [],
  })
  const logDb = new Database(join(options.dataDir, 'log.db'), { readonly: true })
  let left = count(logDb, 'log')
  const deadline = Date.now() + timeoutMs
  while (left > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    left = count(logDb, 'log')
  }
  logDb.close()
  await inlet.stop()
  return left
}

export function measureDisk(dataDir: string, logRecordsLeft: number): DiskReport {
  const files: DbFile[] = []
  let totalBytes = 0
  for (const name of readdirSync(dataDir)) {
    const bytes = statSync(join(dataDir, name)).size
    totalBytes += bytes
    if (!name.endsWith('.db')) continue
    const db = new Database(join(dataDir, name), { readonly: true })
    const pageSize = Number(db.pragma('page_size', { simple: true }))
    const free = Number(db.pragma('freelist_count', { simple: true }))
    const rows = db
      .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC')
      .all() as { name: string; bytes: number }[]
    db.close()
    files.push({
      file: name,
      bytes,
      liveBytes: bytes - free * pageSize,
      tables: Object.fromEntries(rows.map((r) => [r.name, r.bytes])),
    })
  }
  const store = new Database(join(dataDir, 'store.db'), { readonly: true })
  const events = count(store, 'events')
  const users = count(store, 'users')
  const devices = count(store, 'devices')
  store.close()
  const storeFile = files.find((f) => f.file === 'store.db')
  // The events table and every index on it (events_by_user, events_by_name_time), and the numbers
  // its users and names go by (store migration 37: user_nums, event_names and their indexes).
  const eventTable = Object.entries(storeFile?.tables ?? {})
    .filter(
      ([name]) =>
        name === 'events' ||
        name.startsWith('events_by_') ||
        name.startsWith('user_nums') ||
        name.startsWith('event_names'),
    )
    .reduce((sum, [, bytes]) => sum + bytes, 0)
  const logLive = files.find((f) => f.file === 'log.db')?.liveBytes ?? 0
  const liveBytes = files.reduce((sum, f) => sum + f.liveBytes, 0) + (totalBytes - sumBytes(files))
  const per = (bytes: number): number => (events === 0 ? 0 : Math.round(bytes / events))
  return {
    events,
    users,
    devices,
    logRecordsLeft,
    totalBytes,
    liveBytes,
    bytesPerEvent: per(logLive + eventTable),
    eventTableBytesPerEvent: per(eventTable),
    liveBytesPerEvent: per(liveBytes),
    fileBytesPerEvent: per(totalBytes),
    files,
  }
}

function sumBytes(files: readonly DbFile[]): number {
  return files.reduce((sum, f) => sum + f.bytes, 0)
}
