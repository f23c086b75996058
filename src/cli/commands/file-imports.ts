/**
 * `inlet workspaces file-imports list|set|remove`: a workspace's file imports
 * (workspaces/file-imports.ts, the same checks as the admin API; docs/imports.md, "File
 * Imports"), in the data directory directly. `set` reads the definition — the admin API's body —
 * from a JSON file (`-`: standard input) or from flags (`--name`, `--source`, `--type`,
 * `--format`, `--import-id`, `--interval-minutes` or `--daily-at`); an `import_id` that names an
 * import replaces its definition. Sources follow the server's rules (INLET_SEGMENT_FILE_DIR,
 * INLET_SEGMENT_FETCH_PRIVATE, read from the environment).
 */
import { systemClock } from '../../core/clock.js'
import { createIdGenerator } from '../../core/ids.js'
import { importSourceProblem } from '../../imports/file-source.js'
import {
  createFileImports,
  parseFileImportInput,
  type FileImportView,
} from '../../workspaces/file-imports.js'
import { UsageError, parseStoreFlags, stringFlags, withStore, type Command } from '../command.js'
import { definitionAction, jsonObjectFile } from './alerts.js'

function showImports(id: string, views: readonly FileImportView[]): void {
  const lines = views.map((v) => {
    const s = v.schedule
    const when =
      s.type === 'ONETIME'
        ? 'once'
        : 'interval_minutes' in s
          ? `every ${s.interval_minutes} min`
          : `daily ${s.daily_at} UTC`
    return `${v.import_id}  v${v.version}  ${v.name}  ${v.type} ${v.format}  ${when}  ${v.source}`
  })
  process.stdout.write(
    `Workspace ID:  ${id}\n${lines.length === 0 ? 'No file imports.' : lines.join('\n')}\n`,
  )
}

/** The admin API's body from the flags of `set` without `--file`. */
function bodyOfFlags(values: Readonly<Record<string, string | boolean | undefined>>) {
  const body: Record<string, unknown> = {}
  const flag = (name: string): string | undefined => {
    const value = values[name]
    return typeof value === 'string' ? value : undefined
  }
  for (const [name, field] of [
    ['import-id', 'import_id'],
    ['name', 'name'],
    ['source', 'source'],
    ['type', 'type'],
    ['format', 'format'],
  ] as const) {
    const value = flag(name)
    if (value !== undefined) body[field] = value
  }
  const interval = flag('interval-minutes')
  const daily = flag('daily-at')
  if (interval !== undefined) {
    if (!/^\d+$/.test(interval)) throw new UsageError('--interval-minutes needs a whole number')
    body['schedule'] = { type: 'PERIODIC', interval_minutes: Number(interval) }
  } else if (daily !== undefined) {
    body['schedule'] = { type: 'PERIODIC', daily_at: daily }
  }
  return body
}

export const fileImportsCommand: Command = async (args, env) => {
  const [action, ...rest] = args
  const values = parseStoreFlags(
    rest,
    stringFlags(
      'id',
      'file',
      'import-id',
      'name',
      'source',
      'type',
      'format',
      'interval-minutes',
      'daily-at',
    ),
  )
  const id = values.id
  const usage = `workspaces file-imports ${action ?? ''}`
  if (!['list', 'set', 'remove'].includes(action ?? '')) {
    throw new UsageError(`unknown workspaces file-imports command: ${action ?? '(none)'}`)
  }
  if (id === undefined) throw new UsageError(`${usage} needs --id`)
  if (action === 'set' && values.file === undefined && values.name === undefined) {
    throw new UsageError(`${usage} needs --file (a JSON definition, - for stdin) or --name`)
  }
  if (action === 'remove' && values['import-id'] === undefined) {
    throw new UsageError(`${usage} needs --import-id`)
  }
  const input =
    action !== 'set'
      ? undefined
      : values.file !== undefined
        ? jsonObjectFile(values.file)
        : bodyOfFlags(values)
  const policy = {
    fileDir: env['INLET_SEGMENT_FILE_DIR'],
    allowPrivate: env['INLET_SEGMENT_FETCH_PRIVATE'] === 'true',
  }
  return withStore(env, values, async (store) => {
    const imports = createFileImports({ store, clock: systemClock, ids: createIdGenerator() })
    await definitionAction(
      action ?? '',
      id,
      values.json === true,
      {
        list: () => imports.list(id),
        put: () =>
          imports.put(
            id,
            parseFileImportInput(input ?? {}, (s) => importSourceProblem(s, policy)),
          ),
        remove: () => imports.remove(id, values['import-id'] ?? ''),
      },
      { plural: 'imports', singular: 'import', none: 'No such file import.' },
      showImports,
    )
    return 0
  })
}
