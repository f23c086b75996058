/**
 * `inlet workspaces create|list|get|update|set-state|set-limits|rotate-key|remove-key`: manage
 * workspaces in the data directory directly (the server may be running; SQLite's locking lets both
 * work on the same files). A running server keeps each workspace for WORKSPACE_CACHE_TTL_MS (1 s),
 * so it sees a change made here within about a second. The same operations as the admin API, through the same
 * checks (workspaces/changes.ts). `create` and `rotate-key` print the Data API key once.
 * `workspaces keys …` (feature-scoped keys) is commands/keys.ts.
 */
import { systemClock } from '../../core/clock.js'
import { createIdGenerator } from '../../core/ids.js'
import type { Workspace } from '../../store/store.js'
import {
  parseWorkspaceChanges,
  workspaceView,
  type WorkspaceChanges,
} from '../../workspaces/changes.js'
import { createWorkspaces, type CreateWorkspaceInput } from '../../workspaces/workspaces.js'
import {
  UsageError,
  inputUsage,
  keyInput,
  onOff,
  parseStoreFlags,
  print,
  stringFlags,
  wholeNumber,
  withStore,
  type Command,
} from '../command.js'
import { keyField, keyLines } from '../key-output.js'
import { alertsCommand } from './alerts.js'
import { liveActivitiesCommand } from './live-activities.js'
import { fileImportsCommand } from './file-imports.js'
import { cardsCommand } from './cards.js'
import { deliveryCommand } from './delivery.js'
import { categoriesCommand, linkCommand } from './categories.js'
import { keysCommand } from './keys.js'

/** `name=value` pairs of a repeated flag (`--limit track_user=500`, `--project p1=Shop`). */
function pairs(flag: string, raw: readonly string[] | undefined): [string, string][] {
  return (raw ?? []).map((entry) => {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new UsageError(`--${flag} expects name=value: ${entry}`)
    return [entry.slice(0, eq), entry.slice(eq + 1)]
  })
}

type Values = {
  name?: string | undefined
  state?: string | undefined
  limit?: string[] | undefined
  project?: string[] | undefined
  goal?: string[] | undefined
  'bulk-strict'?: string | undefined
  'identity-resolution'?: string | undefined
  'fair-usage'?: string | undefined
  'attribution-key'?: string | undefined
  'plain-link-ids'?: string | undefined
}

/** The update flags as the body the admin API takes, checked by the same parser. */
function changesOf(values: Values): WorkspaceChanges {
  const limits: Record<string, number | null> = {}
  for (const [name, value] of pairs('limit', values.limit)) {
    limits[name] = value === 'default' ? null : (wholeNumber('limit', value) ?? null)
  }
  const projects = pairs('project', values.project)
  const settings: Record<string, unknown> = {}
  const strict = onOff('bulk-strict', values['bulk-strict'])
  if (strict !== undefined) settings['bulkStrictElementValidation'] = strict
  const ir = onOff('identity-resolution', values['identity-resolution'])
  if (ir !== undefined) settings['identityResolution'] = ir
  const plain = onOff('plain-link-ids', values['plain-link-ids'])
  if (plain !== undefined) settings['plainLinkIds'] = plain
  const fair = onOff('fair-usage', values['fair-usage'])
  if (fair !== undefined) settings['fairUsage'] = { enabled: fair }
  // spec §7.10: --attribution-key KEY (none removes it)
  const attribution = values['attribution-key']
  if (attribution !== undefined) {
    settings['attributionKey'] = attribution === 'none' ? null : attribution
  }
  if (projects.length > 0) settings['projects'] = Object.fromEntries(projects)
  // --goal EVENT or --goal EVENT=REVENUE_ATTRIBUTE; --goal none clears the list (spec §8.7)
  if (values.goal !== undefined) {
    settings['conversionGoals'] = values.goal
      .filter((g) => g !== 'none')
      .map((g) => {
        const at = g.indexOf('=')
        return at < 0 ? { event: g } : { event: g.slice(0, at), revenueAttribute: g.slice(at + 1) }
      })
  }
  return parseWorkspaceChanges({
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.state === undefined ? {} : { state: values.state }),
    ...(Object.keys(limits).length === 0 ? {} : { limits }),
    ...(Object.keys(settings).length === 0 ? {} : { settings }),
  })
}

function showWorkspace(workspace: Workspace, json: boolean): void {
  const view = workspaceView(workspace)
  if (json) return print(view)
  const limits = Object.entries(view.limits)
    .map(([name, n]) => `${name}=${n}`)
    .join(' ')
  process.stdout.write(
    [
      `Workspace ID:  ${view.workspace_id}`,
      `Name:          ${view.name}`,
      `State:         ${view.state}`,
      `Key set:       ${view.key_set ? 'yes' : 'no'}`,
      ...(view.previous_key_expires_at === null
        ? []
        : [`Previous key:  works until ${view.previous_key_expires_at}`]),
      `Limits/min:    ${limits}`,
      `Settings:      ${JSON.stringify(view.settings)}`,
      '',
    ].join('\n'),
  )
}

export const workspacesCommand: Command = async (args, env) => {
  const [sub, ...rest] = args
  if (sub === 'keys') return keysCommand(rest, env)
  if (sub === 'categories') return categoriesCommand(rest, env)
  if (sub === 'alerts') return alertsCommand(rest, env)
  if (sub === 'live-activities') return liveActivitiesCommand(rest, env)
  if (sub === 'file-imports') return fileImportsCommand(rest, env)
  if (sub === 'cards') return cardsCommand(rest, env)
  if (sub === 'delivery') return deliveryCommand(rest, env)
  if (sub === 'link') return linkCommand(rest, env)
  const values = parseStoreFlags(rest, {
    ...stringFlags('id', 'key', 'name', 'state', 'grace-seconds'),
    ...stringFlags('bulk-strict', 'identity-resolution', 'fair-usage', 'attribution-key'),
    ...stringFlags('plain-link-ids'),
    limit: { type: 'string', multiple: true },
    project: { type: 'string', multiple: true },
    goal: { type: 'string', multiple: true },
  })
  const json = values.json === true
  const needId = (): string => {
    if (values.id === undefined) throw new UsageError(`workspaces ${sub ?? ''} needs --id`)
    return values.id
  }
  // Flags are checked before the store is opened, so a usage error touches nothing.
  const changes = sub === 'create' || sub === 'update' ? inputUsage(() => changesOf(values)) : {}
  return withStore(env, values, async (store) => {
    const workspaces = createWorkspaces({ store, clock: systemClock, ids: createIdGenerator() })
    switch (sub) {
      case 'create': {
        const input: CreateWorkspaceInput = {
          ...(values.id === undefined ? {} : { id: values.id }),
          ...(values.key === undefined ? {} : { key: values.key }),
          changes,
        }
        const { workspace, dataApiKey, generated } = await workspaces.create(input)
        if (json) {
          print({
            workspace_id: workspace.id,
            ...keyField('data_api_key', dataApiKey, generated),
            name: workspace.name,
          })
        } else {
          process.stdout.write(
            `Workspace ID:  ${workspace.id}\n${keyLines('Data API key', dataApiKey, generated)}`,
          )
        }
        return 0
      }
      case 'list': {
        const list = await workspaces.list()
        if (json) {
          const rows = list.map((w) => ({
            workspace_id: w.id,
            name: w.name,
            state: w.state,
            key_set: w.keyHash !== null,
            created_at: new Date(w.createdAt).toISOString(),
          }))
          print(rows)
        } else {
          for (const w of list) process.stdout.write(`${w.id}\t${w.state}\t${w.name}\n`)
        }
        return 0
      }
      case 'get':
        showWorkspace(await workspaces.get(needId()), json)
        return 0
      case 'update':
      case 'set-state':
      case 'set-limits': {
        const id = needId()
        const only =
          sub === 'set-state'
            ? inputUsage(() => changesOf({ state: values.state ?? '' }))
            : sub === 'set-limits'
              ? inputUsage(() => changesOf({ limit: values.limit ?? [] }))
              : changes
        if (Object.keys(only).length === 0) {
          throw new UsageError(`workspaces ${sub} changes nothing: give at least one flag`)
        }
        showWorkspace(await workspaces.update(id, only), json)
        return 0
      }
      case 'rotate-key': {
        const id = needId()
        const { workspace, dataApiKey, generated } = await workspaces.rotateKey(
          id,
          keyInput(values),
        )
        const until = workspace.previousKey?.expiresAt
        if (json) {
          print({
            workspace_id: workspace.id,
            ...keyField('data_api_key', dataApiKey, generated),
            previous_key_expires_at: until === undefined ? null : new Date(until).toISOString(),
          })
        } else {
          process.stdout.write(
            `Workspace ID:  ${workspace.id}\n${keyLines('Data API key', dataApiKey, generated)}` +
              (until === undefined
                ? 'The previous key no longer works.\n'
                : `The previous key works until ${new Date(until).toISOString()}.\n`),
          )
        }
        return 0
      }
      case 'remove-key':
        showWorkspace(await workspaces.removeKey(needId()), json)
        return 0
      default:
        throw new UsageError(`unknown workspaces command: ${sub ?? '(none)'}`)
    }
  })
}
