/**
 * `inlet workspaces alerts list|set|remove`: a workspace's Inform alerts
 * (workspaces/inform-alerts.ts, the same checks as the admin API), in the data directory
 * directly. `set` reads the definition — the admin API's body — from a JSON file (`-`: standard
 * input); an `alert_id` in it that names an alert replaces that alert's definition.
 */
import { readFileSync } from 'node:fs'
import { systemClock } from '../../core/clock.js'
import { createIdGenerator } from '../../core/ids.js'
import { WorkspaceInputError } from '../../workspaces/changes.js'
import {
  createInformAlerts,
  parseAlertInput,
  type AlertView,
} from '../../workspaces/inform-alerts.js'
import {
  UsageError,
  parseStoreFlags,
  print,
  stringFlags,
  withStore,
  type Command,
} from '../command.js'

function showAlerts(id: string, views: readonly AlertView[]): void {
  const lines = views.map((v) => {
    const channels = Object.entries(v.channels)
      .map(([name, c]) => (c.enabled ? name : `${name} (off)`))
      .join(', ')
    return `${v.alert_id}  test ${v.test_alert_id}  v${v.version}  ${v.reference_name}  [${channels}]`
  })
  process.stdout.write(
    `Workspace ID:  ${id}\n${lines.length === 0 ? 'No Inform alerts.' : lines.join('\n')}\n`,
  )
}

/** The JSON object of `file` (`-`: standard input); a usage error when it is not one. */
export function jsonObjectFile(file: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'))
  } catch (err) {
    throw new UsageError(`--file ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--file ${file}: not a JSON object`)
  }
  return parsed as Record<string, unknown> // a non-array object, checked above
}

/** What `list`, `set` and `remove` of a kind of definition do, for definitionAction. */
export type DefinitionOps<V> = Readonly<{
  list(): Promise<V[]>
  put(): Promise<V>
  remove(): Promise<boolean>
}>

/**
 * Runs `action` on a workspace's definitions (Inform alerts, live-activity campaigns): prints
 * JSON under `plural` / `singular` with `--json`, else `show`'s text; a WorkspaceInputError is a
 * usage error naming its field.
 */
export async function definitionAction<V>(
  action: string,
  id: string,
  json: boolean,
  ops: DefinitionOps<V>,
  names: Readonly<{ plural: string; singular: string; none: string }>,
  show: (id: string, views: readonly V[]) => void,
): Promise<void> {
  try {
    if (action === 'list') {
      const views = await ops.list()
      if (json) print({ workspace_id: id, [names.plural]: views })
      else show(id, views)
    } else if (action === 'remove') {
      const removed = await ops.remove()
      if (json) print({ workspace_id: id, removed })
      else process.stdout.write(removed ? 'Removed.\n' : `${names.none}\n`)
    } else {
      const view = await ops.put()
      if (json) print({ workspace_id: id, [names.singular]: view })
      else show(id, [view])
    }
  } catch (err) {
    if (err instanceof WorkspaceInputError) {
      throw new UsageError(`${err.attribute}: ${err.message}`)
    }
    throw err
  }
}

export const alertsCommand: Command = async (args, env) => {
  const [action, ...rest] = args
  const values = parseStoreFlags(rest, stringFlags('id', 'file', 'alert-id'))
  const id = values.id
  if (!['list', 'set', 'remove'].includes(action ?? '')) {
    throw new UsageError(`unknown workspaces alerts command: ${action ?? '(none)'}`)
  }
  if (id === undefined) throw new UsageError(`workspaces alerts ${action ?? ''} needs --id`)
  if (action === 'set' && values.file === undefined) {
    throw new UsageError('workspaces alerts set needs --file (a JSON definition, - for stdin)')
  }
  if (action === 'remove' && values['alert-id'] === undefined) {
    throw new UsageError('workspaces alerts remove needs --alert-id')
  }
  const input = action === 'set' ? jsonObjectFile(values.file ?? '-') : undefined
  return withStore(env, values, async (store) => {
    const alerts = createInformAlerts({ store, clock: systemClock, ids: createIdGenerator() })
    await definitionAction(
      action ?? '',
      id,
      values.json === true,
      {
        list: () => alerts.list(id),
        put: () => alerts.put(id, parseAlertInput(input ?? {})),
        remove: () => alerts.remove(id, values['alert-id'] ?? ''),
      },
      { plural: 'alerts', singular: 'alert', none: 'No such alert.' },
      showAlerts,
    )
    return 0
  })
}
