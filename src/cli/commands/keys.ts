/**
 * `inlet workspaces keys list|create|rotate|remove`: a workspace's feature-scoped API keys (Data,
 * Push, Inform, Personalize, reports; docs/auth.md) in the data directory directly, through the
 * same checks as the admin API (workspaces/feature-keys.ts). `create` and `rotate` print the key
 * once; `list` shows which features have one, never a key. Push and reports keys are sealed under
 * the server secret: INLET_SECRET_KEY, else the data directory's `secret.key` (shared with the
 * server); with PostgreSQL, INLET_SECRET_KEY must be set, the same as the server's.
 */
import { systemClock } from '../../core/clock.js'
import { createIdGenerator } from '../../core/ids.js'
import {
  FEATURES,
  FEATURE_LABELS,
  createFeatureKeys,
  isFeature,
  type Feature,
  type FeatureKeyView,
  type IssuedFeatureKey,
} from '../../workspaces/feature-keys.js'
import { createSecretBox, previousSecret, serverSecret } from '../../workspaces/secret-box.js'
import {
  UsageError,
  keyInput,
  parseStoreFlags,
  print,
  stringFlags,
  withStore,
  type Command,
} from '../command.js'
import { keyField, keyLines } from '../key-output.js'

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
    print({
      workspace_id: id,
      feature,
      ...keyField('api_key', issued.apiKey, issued.generated),
      key: issued.view,
    })
    return
  }
  process.stdout.write(
    `Workspace ID:  ${id}\n` +
      keyLines(`${FEATURE_LABELS[feature]} API key`, issued.apiKey, issued.generated) +
      (issued.view.rotated_at === null
        ? ''
        : until === null
          ? 'The previous key no longer works.\n'
          : `The previous key works until ${until}.\n`),
  )
}

export const keysCommand: Command = async (args, env) => {
  const [action, ...rest] = args
  const values = parseStoreFlags(rest, stringFlags('id', 'feature', 'key', 'grace-seconds'))
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
  const input = keyInput(values)
  if (input.graceSeconds !== undefined && action !== 'rotate') {
    throw new UsageError('--grace-seconds is for workspaces keys rotate')
  }
  return withStore(env, values, async (store, config) => {
    const keys = createFeatureKeys({
      store,
      clock: systemClock,
      ids: createIdGenerator(),
      secrets: createSecretBox(serverSecret(config), previousSecret(config)),
    })
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
  })
}
