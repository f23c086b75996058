/**
 * What the `inlet workspaces <definitions> list|set|remove` commands that take a definition from
 * a file or from flags share (file-imports.ts, live-activities.ts): the checks of the action and
 * its flags, and the admin API's body built from the flags of `set` without `--file`.
 */
import { UsageError } from '../command.js'
import { jsonObjectFile } from './alerts.js'

type Flags = Readonly<Record<string, string | boolean | undefined>>

/** A flag's value when it was given a value. */
export const stringFlag = (values: Flags, name: string): string | undefined => {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

/** A whole-number flag's value (undefined when not given); a UsageError naming it otherwise. */
export function wholeFlag(values: Flags, name: string): number | undefined {
  const value = stringFlag(values, name)
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} needs a whole number`)
  return Number(value)
}

/** The body's fields copied from their flags (`[flag, field]`), each when given. */
export function fieldsOfFlags(
  values: Flags,
  pairs: readonly (readonly [flag: string, field: string])[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const [flag, field] of pairs) {
    const value = stringFlag(values, flag)
    if (value !== undefined) body[field] = value
  }
  return body
}

/**
 * Checks `action` (list, set, remove) and its flags for `workspaces <command>`: `--id` always,
 * `--file` or `--name` for set, `--<keyFlag>` for remove. Answers the workspace id and, for set,
 * the definition: the JSON file's object, or `bodyOfFlags()`.
 */
export function definitionCommandArgs(
  command: string,
  action: string | undefined,
  values: Flags,
  keyFlag: string,
  bodyOfFlags: () => Record<string, unknown>,
): { id: string; input: Record<string, unknown> | undefined } {
  const usage = `workspaces ${command} ${action ?? ''}`
  if (!['list', 'set', 'remove'].includes(action ?? '')) {
    throw new UsageError(`unknown workspaces ${command} command: ${action ?? '(none)'}`)
  }
  const id = stringFlag(values, 'id')
  if (id === undefined) throw new UsageError(`${usage} needs --id`)
  const file = stringFlag(values, 'file')
  if (action === 'set' && file === undefined && stringFlag(values, 'name') === undefined) {
    throw new UsageError(`${usage} needs --file (a JSON definition, - for stdin) or --name`)
  }
  if (action === 'remove' && stringFlag(values, keyFlag) === undefined) {
    throw new UsageError(`${usage} needs --${keyFlag}`)
  }
  const input =
    action !== 'set' ? undefined : file !== undefined ? jsonObjectFile(file) : bodyOfFlags()
  return { id, input }
}
