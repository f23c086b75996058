/**
 * `inlet workspaces keys list|create|rotate|remove`: a workspace's feature-scoped API keys (Data,
 * Push, Inform, Personalize, reports; docs/auth.md) in the data directory directly, through the
 * same checks as the admin API (workspaces/feature-keys.ts). `create` and `rotate` print the key
 * once; `list` shows which features have one, never a key. Push and reports keys are sealed under
 * the server secret: INLET_SECRET_KEY, else the data directory's `secret.key` (shared with the
 * server); with PostgreSQL, INLET_SECRET_KEY must be set, the same as the server's.
 */
import { parseArgs } from 'node:util'
import { systemClock } from '../../core/clock.js'
import { loadConfig } from '../../core/config.js'
import { createIdGenerator } from '../../core/ids.js'
import { expandBulkRow } from '../../families/data/bulk-rows.js'
import { openStore } from '../../store/open-store.js'
import { WorkspaceInputError } from '../../workspaces/changes.js'
import {
  FEATURES,
  FEATURE_LABELS,
  FeatureKeyExistsError,
  createFeatureKeys,
  isFeature,
  type Feature,
  type FeatureKeyView,
  type IssuedFeatureKey,
} from '../../workspaces/feature-keys.js'
import {
  ServerSecretMissingError,
  createSecretBox,
  serverSecret,
} from '../../workspaces/secret-box.js'
import { WorkspaceNotFoundError } from '../../workspaces/workspaces.js'
import { UsageError, usage } from '../cli.js'

const print = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value) + '\n')
}

function wholeNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(n)) {
    throw new UsageError(`--${flag} expects a whole number: ${raw}`)
  }
  return n
}

function showList(id: string, views: readonly FeatureKeyView[]): void {
  const lines = views.map((v) =>
    [
      v.feature.padEnd(12),
      v.key_set ? 'set    ' : 'not set',
      v.created_at === null ? '' : `created ${v.created_at}`,
      v.rotated_at === null ? '' : `rotated ${v.rotated_at}`,
      v.previous_key_expires_at === null
        ? ''
        : `previous key works until ${v.previous_key_expires_at}`,
    ]
      .filter((part) => part !== '')
      .join('  ')
      .trimEnd(),
  )
  process.stdout.write(`Workspace ID:  ${id}\n${lines.join('\n')}\n`)
}

function showIssued(id: string, feature: Feature, issued: IssuedFeatureKey, json: boolean): void {
  const until = issued.view.previous_key_expires_at
  if (json) {
    print({ workspace_id: id, feature, api_key: issued.apiKey, key: issued.view })
    return
  }
  process.stdout.write(
    `Workspace ID:  ${id}\n${FEATURE_LABELS[feature]} API key:  ${issued.apiKey}\n` +
      '(the key is shown only now)\n' +
      (issued.view.rotated_at === null
        ? ''
        : until === null
          ? 'The previous key no longer works.\n'
          : `The previous key works until ${until}.\n`),
  )
}

export async function keysCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const [action, ...rest] = args
  const { values } = usage(() =>
    parseArgs({
      args: [...rest],
      strict: true,
      options: {
        id: { type: 'string' },
        feature: { type: 'string' },
        key: { type: 'string' },
        'grace-seconds': { type: 'string' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
      },
    }),
  )
  const json = values.json === true
  const id = values.id
  if (id === undefined) throw new UsageError(`workspaces keys ${action ?? ''} needs --id`)
  const needFeature = (): Feature => {
    const feature = values.feature
    if (feature === undefined) {
      throw new UsageError(`workspaces keys ${action ?? ''} needs --feature`)
    }
    if (!isFeature(feature)) {
      throw new UsageError(`--feature expects one of ${FEATURES.join(', ')}: ${feature}`)
    }
    return feature
  }
  if (!['list', 'create', 'rotate', 'remove'].includes(action ?? '')) {
    throw new UsageError(`unknown workspaces keys command: ${action ?? '(none)'}`)
  }
  const feature = action === 'list' ? undefined : needFeature()
  const grace = wholeNumber('grace-seconds', values['grace-seconds'])
  if (grace !== undefined && action !== 'rotate') {
    throw new UsageError('--grace-seconds is for workspaces keys rotate')
  }
  const merged: Record<string, string | undefined> = { ...env }
  if (values['data-dir'] !== undefined) merged['INLET_DATA_DIR'] = values['data-dir']
  if (values['database-url'] !== undefined) merged['DATABASE_URL'] = values['database-url']
  const config = loadConfig(merged)
  const store = await openStore(config, expandBulkRow)
  const keys = createFeatureKeys({
    store,
    clock: systemClock,
    ids: createIdGenerator(),
    secrets: createSecretBox(serverSecret(config)),
  })
  const input = {
    ...(values.key === undefined ? {} : { key: values.key }),
    ...(grace === undefined ? {} : { graceSeconds: grace }),
  }
  try {
    if (feature === undefined) {
      const views = await keys.list(id)
      if (json) print({ workspace_id: id, keys: views })
      else showList(id, views)
    } else if (action === 'remove') {
      const view = await keys.remove(id, feature)
      if (json) print({ workspace_id: id, key: view })
      else process.stdout.write(`Workspace ID:  ${id}\nNo ${feature} key any more.\n`)
    } else {
      const issued =
        action === 'create'
          ? await keys.create(id, feature, input)
          : await keys.rotate(id, feature, input)
      showIssued(id, feature, issued, json)
    }
    return 0
  } catch (err) {
    if (
      err instanceof WorkspaceInputError ||
      err instanceof WorkspaceNotFoundError ||
      err instanceof FeatureKeyExistsError ||
      err instanceof ServerSecretMissingError
    ) {
      process.stderr.write(`inlet: ${err.message}\n`)
      return 1
    }
    throw err
  } finally {
    await store.close()
  }
}
