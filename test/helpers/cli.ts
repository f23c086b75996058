/**
 * The `inlet` CLI in-process, for the command tests under src/cli/commands: `runCli` calls the
 * CLI's `main` on a data directory with stdout and stderr captured (and restored), and
 * `withSqliteStore` opens that directory's store the way a server would, to see what a command
 * stored. Nothing here interprets the output: each test asserts on it.
 */
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'
import { main } from '../../src/cli/cli.js'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../src/store/store.js'

export type CliRun = { code: number; out: string; err: string }

/** `inlet …args` on the data directory `dir` (durability `os`), with `env` on top. */
export async function runCli(
  dir: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const out: string[] = []
  const err: string[] = []
  const stdout = process.stdout.write.bind(process.stdout)
  const stderr = process.stderr.write.bind(process.stderr)
  process.stdout.write = (chunk: string | Uint8Array) => out.push(String(chunk)) > 0
  process.stderr.write = (chunk: string | Uint8Array) => err.push(String(chunk)) > 0
  try {
    const code = await main([...args], { INLET_DATA_DIR: dir, INLET_DURABILITY: 'os', ...env })
    return { code, out: out.join(''), err: err.join('') }
  } finally {
    process.stdout.write = stdout
    process.stderr.write = stderr
  }
}

/** A run's stdout read as JSON (a command given `--json`). */
export const jsonOf = <T>(run: CliRun): T => JSON.parse(run.out) as T

/** What `read` finds in the SQLite store of `dir`, opened for it and closed again. */
export async function withSqliteStore<T>(
  dir: string,
  read: (store: Store) => Promise<T>,
): Promise<T> {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
  try {
    return await read(store)
  } finally {
    await store.close()
  }
}
