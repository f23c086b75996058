/**
 * What the `inlet` commands share: strict flag parsing whose errors are usage errors (exit code
 * 2), the flags naming the data (`--data-dir`, `--database-url`) and `--json`, flags laid over the
 * environment before loadConfig reads it, on/off and whole-number flags, a workspace input error
 * as a usage error, opening the store for one command, and printing JSON.
 * A failure other than a usage or configuration error is reported by cli.ts's main (exit code 1).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { loadConfig, type Config } from '../core/config.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { openStore } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { WorkspaceInputError } from '../workspaces/changes.js'

/** A command of `inlet`: its arguments after the command's name, the environment; its exit code. */
export type Command = (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>

export class UsageError extends Error {
  override readonly name: string = 'UsageError'
}

/** Runs an argument parse, turning its errors into usage errors (exit code 2). */
export function usage<T>(parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
}

/** The flags of every command that opens the store: where the data is, and JSON output. */
export const STORE_FLAGS = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
} as const

type Options = NonNullable<ParseArgsConfig['options']>

type Flags<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; strict: true; options: O }>
>['values']

/** The values of `args` parsed strictly by `options` (no positionals); a bad flag is a usage error. */
export function parseFlags<const O extends Options>(args: readonly string[], options: O): Flags<O> {
  return usage(() => parseArgs({ args: [...args], strict: true, options })).values
}

/** parseFlags for a command that opens the store: `options` and STORE_FLAGS. */
export function parseStoreFlags<const O extends Options>(
  args: readonly string[],
  options: O,
): Flags<O & typeof STORE_FLAGS> {
  return parseFlags(args, { ...options, ...STORE_FLAGS })
}

/** Flags taking one string each, by name. */
export function stringFlags<const N extends string>(
  ...names: N[]
): { readonly [K in N]: { readonly type: 'string' } } {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' }])) as {
    [K in N]: { type: 'string' } // one entry per name
  }
}

/** `--key` and `--grace-seconds` as the input of a key's creation or rotation. */
export function keyInput(
  values: Readonly<{ key?: string | undefined; 'grace-seconds'?: string | undefined }>,
): { key?: string; graceSeconds?: number } {
  const grace = wholeNumber('grace-seconds', values['grace-seconds'])
  return {
    ...(values.key === undefined ? {} : { key: values.key }),
    ...(grace === undefined ? {} : { graceSeconds: grace }),
  }
}

/** The configuration of `env` with the variables set by flags (an undefined flag sets nothing). */
export function configWith(
  env: NodeJS.ProcessEnv,
  flags: Readonly<Record<string, string | undefined>>,
): Config {
  const merged: Record<string, string | undefined> = { ...env }
  for (const [name, value] of Object.entries(flags)) if (value !== undefined) merged[name] = value
  return loadConfig(merged)
}

type StoreFlagValues = Readonly<{
  'data-dir'?: string | undefined
  'database-url'?: string | undefined
}>

/**
 * Runs `run` on the store that `env` with STORE_FLAGS' `--data-dir` and `--database-url` laid over
 * it names, closed afterwards whatever happens; resolves to `run`'s exit code.
 */
export async function withStore(
  env: NodeJS.ProcessEnv,
  values: StoreFlagValues,
  run: (store: Store, config: Config) => Promise<number>,
): Promise<number> {
  const config = configWith(env, {
    INLET_DATA_DIR: values['data-dir'],
    DATABASE_URL: values['database-url'],
  })
  const store = await openStore(config, expandBulkRow)
  try {
    return await run(store, config)
  } finally {
    await store.close()
  }
}

/** Writes `value` as one line of JSON. */
export const print = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value) + '\n')
}

/** A whole-number flag's value (undefined when not given). */
export function wholeNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(n)) {
    throw new UsageError(`--${flag} expects a whole number: ${raw}`)
  }
  return n
}

/** An on/off flag's value (undefined when not given): on, true, yes, 1 or off, false, no, 0. */
export function onOff(flag: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined
  if (['on', 'true', 'yes', '1'].includes(raw)) return true
  if (['off', 'false', 'no', '0'].includes(raw)) return false
  throw new UsageError(`--${flag} expects on or off: ${raw}`)
}

/** A workspace input error as a usage error (exit code 2) naming the field at fault. */
function asUsage(err: unknown): never {
  if (err instanceof WorkspaceInputError) throw new UsageError(`${err.attribute}: ${err.message}`)
  throw err
}

/** Runs `work`; a workspace input error (WorkspaceInputError) it throws is a usage error. */
export function inputUsage<T>(work: () => T): T {
  try {
    return work()
  } catch (err) {
    return asUsage(err)
  }
}

/** inputUsage for asynchronous work: its rejection by a workspace input error is a usage error. */
export async function inputUsageAsync<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    return asUsage(err)
  }
}
