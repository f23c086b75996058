/**
 * Reading an import file a record at a time from a byte offset, never the whole file: CSV through
 * csv-parse (quotes, BOM, fields across lines; the header is the first record) and JSON-lines a
 * line at a time. Each record comes with where it ends (the byte offset just past it, and its last
 * line), so a checkpoint can say exactly where to go on after it.
 */
import { createReadStream } from 'node:fs'
import { parse } from 'csv-parse'

export type FileFormat = 'csv' | 'jsonl'

/** A record of the file: its values, or why it could not be read; where it ends. */
export type FileRecord = Readonly<{
  values: Readonly<Record<string, unknown>> | undefined
  /** Why `values` is undefined (a JSON line that is not a JSON object). */
  error: string | undefined
  /** Byte offset just past the record (and its line end). */
  end: number
  /** The file's line the record ends on (1-based). */
  line: number
}>

/** Where reading starts: a byte offset and the lines before it (0 and 0 from the beginning). */
export type Position = Readonly<{ offset: number; line: number }>

/** The format a file's name suggests: `.csv` → csv; `.jsonl`, `.ndjson`, `.json` → jsonl. */
export function formatOfName(file: string): FileFormat | undefined {
  if (/\.csv$/i.test(file)) return 'csv'
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl'
  return undefined
}

/** A CSV file's header (its first record) and the position just past it. */
export async function readCsvHeader(file: string): Promise<{ columns: string[]; after: Position }> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, to: 1 }),
  )
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[]
    info: { bytes: number; lines: number }
  }>) {
    return { columns: record.map((c) => c.trim()), after: { offset: info.bytes, line: info.lines } }
  }
  throw new Error(`${file} is empty: a CSV import needs a header row naming its columns`)
}

/**
 * The CSV records after `from` (past the header), each an object of `columns` to its cells. A row
 * with a cell count other than the header's is an error record; a file that is not CSV (an
 * unclosed quote) throws, naming the line.
 */
export async function* readCsv(
  file: string,
  columns: readonly string[],
  from: Position,
): AsyncGenerator<FileRecord> {
  const parser = createReadStream(file, { start: from.offset }).pipe(
    parse({ info: true, relax_column_count: true, skip_empty_lines: true }),
  )
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[]
      info: { bytes: number; lines: number }
    }>) {
      const end = from.offset + info.bytes
      const line = from.line + info.lines
      if (record.length !== columns.length) {
        yield {
          values: undefined,
          error: `the row has ${record.length} cells; the header has ${columns.length}`,
          end,
          line,
        }
        continue
      }
      const values: Record<string, unknown> = {}
      columns.forEach((column, i) => {
        if (column !== '') values[column] = record[i]
      })
      yield { values, error: undefined, end, line }
    }
  } catch (err) {
    const at = (err as { lines?: number }).lines
    throw new Error(
      `${file}${at === undefined ? '' : ` line ${from.line + at}`} is not valid CSV: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
}

/** The JSON-lines records after `from`: each non-blank line, parsed; a bad line is an error record. */
export async function* readJsonLines(file: string, from: Position): AsyncGenerator<FileRecord> {
  let offset = from.offset
  let line = from.line
  let pending: Buffer[] = []
  const decode = (parts: Buffer[]): string => Buffer.concat(parts).toString('utf8')
  const record = (text: string, end: number): FileRecord | undefined => {
    const trimmed = text.replace(/^\uFEFF/, '').trim()
    if (trimmed === '') return undefined
    let value: unknown
    try {
      value = JSON.parse(trimmed)
    } catch (err) {
      return { values: undefined, error: `not JSON: ${(err as Error).message}`, end, line }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { values: undefined, error: 'the line is not a JSON object', end, line }
    }
    return { values: value as Record<string, unknown>, error: undefined, end, line }
  }
  for await (const chunk of createReadStream(file, { start: from.offset })) {
    let buffer = chunk as Buffer
    for (let nl = buffer.indexOf(10); nl !== -1; nl = buffer.indexOf(10)) {
      pending.push(buffer.subarray(0, nl + 1))
      offset += pending.reduce((n, b) => n + b.length, 0)
      line++
      const r = record(decode(pending), offset)
      pending = []
      if (r !== undefined) yield r
      buffer = buffer.subarray(nl + 1)
    }
    if (buffer.length > 0) pending.push(buffer)
  }
  if (pending.length > 0) {
    offset += pending.reduce((n, b) => n + b.length, 0)
    line++
    const r = record(decode(pending), offset)
    if (r !== undefined) yield r
  }
}

/** The first record's keys of a JSON-lines file (to tell users from events), or none. */
export async function firstJsonKeys(file: string): Promise<string[]> {
  for await (const r of readJsonLines(file, { offset: 0, line: 0 })) {
    if (r.values !== undefined) return Object.keys(r.values)
  }
  return []
}
