/**
 * The logger: JSON lines with pino's call shape (`log.info({ requestId }, 'accepted')`), written to
 * a stream (stdout by default), plus a memory logger for tests. Secrets never go in here: callers
 * log workspace ids and request ids, never keys or Authorization headers.
 */
import type { LogLevel } from './config.js'

export type LogFields = Readonly<Record<string, unknown>>

export interface Logger {
  debug(fields: LogFields, msg: string): void
  info(fields: LogFields, msg: string): void
  warn(fields: LogFields, msg: string): void
  error(fields: LogFields, msg: string): void
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 }

type Level = Exclude<LogLevel, 'silent'>

function serialize(level: Level, fields: LogFields, msg: string, time: number): string {
  const out: Record<string, unknown> = { level, time: new Date(time).toISOString(), msg }
  for (const [k, v] of Object.entries(fields)) {
    out[k] =
      v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v
  }
  try {
    return JSON.stringify(out)
  } catch {
    return JSON.stringify({ level, time: out['time'], msg, note: 'fields not serialisable' })
  }
}

export function createLogger(options: {
  level: LogLevel
  write?: (line: string) => void
  now?: () => number
}): Logger {
  const min = RANK[options.level]
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'))
  const now = options.now ?? Date.now
  const at =
    (level: Level) =>
    (fields: LogFields, msg: string): void => {
      if (RANK[level] >= min) write(serialize(level, fields, msg, now()))
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export type MemoryLogger = Logger & { readonly lines: string[] }

/** Keeps every line (all levels) in memory so tests can read what was logged. */
export function createMemoryLogger(): MemoryLogger {
  const lines: string[] = []
  const log = createLogger({ level: 'debug', write: (line) => lines.push(line) })
  return Object.assign(log, { lines })
}

export const silentLogger: Logger = createLogger({ level: 'silent' })
