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
import { parseStoreFlags, stringFlags, withStore, type Command } from '../command.js'
import { definitionAction } from './alerts.js'
import { definitionCommandArgs, fieldsOfFlags, stringFlag, wholeFlag } from './definition-flags.js'

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
  const body = fieldsOfFlags(values, [
    ['import-id', 'import_id'],
    ['name', 'name'],
    ['source', 'source'],
    ['type', 'type'],
    ['format', 'format'],
  ])
  const interval = wholeFlag(values, 'interval-minutes')
  const daily = stringFlag(values, 'daily-at')
  if (interval !== undefined) {
    body['schedule'] = { type: 'PERIODIC', interval_minutes: interval }
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
  const { id, input } = definitionCommandArgs('file-imports', action, values, 'import-id', () =>
    bodyOfFlags(values),
  )
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
