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
    try {
      if (action === 'list') {
        const views = await alerts.list(id)
        if (values.json === true) print({ workspace_id: id, alerts: views })
        else showAlerts(id, views)
      } else if (action === 'remove') {
        const removed = await alerts.remove(id, values['alert-id'] ?? '')
        if (values.json === true) print({ workspace_id: id, removed })
        else process.stdout.write(removed ? 'Removed.\n' : 'No such alert.\n')
      } else {
        const view = await alerts.put(id, parseAlertInput(input ?? {}))
        if (values.json === true) print({ workspace_id: id, alert: view })
        else showAlerts(id, [view])
      }
    } catch (err) {
      if (err instanceof WorkspaceInputError) {
        throw new UsageError(`${err.attribute}: ${err.message}`)
      }
      throw err
    }
    return 0
  })
}
