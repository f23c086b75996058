/**
 * `inlet workspaces delivery show|set`: a workspace's outbox delivery mode
 * (workspaces/delivery.ts, the same checks as the admin API), in the data directory directly.
 * `set` takes the admin API's body from `--file` (`-`: standard input; the only way to give an
 * SMTP password, which so stays out of the process list) or from flags: `--mode record`,
 * `--mode webhook --url URL [--secret S]`, `--mode smtp --host H [--port P] [--secure on|off]
 * [--user U] [--from F]`. A webhook secret Inlet generates is printed once.
 */
import { systemClock } from '../../core/clock.js'
import { WorkspaceInputError } from '../../workspaces/changes.js'
import {
  createDeliverySettings,
  parseDeliveryInput,
  type DeliveryView,
} from '../../workspaces/delivery.js'
import { createSecretBox, previousSecret, serverSecret } from '../../workspaces/secret-box.js'
import { jsonObjectFile } from './alerts.js'
import {
  UsageError,
  parseStoreFlags,
  print,
  stringFlags,
  withStore,
  type Command,
} from '../command.js'

const FLAGS = stringFlags(
  'id',
  'file',
  'mode',
  'url',
  'secret',
  'host',
  'port',
  'secure',
  'user',
  'from',
)

function describe(view: DeliveryView): string {
  switch (view.mode) {
    case 'record':
      return 'record (messages are kept in the outbox; nothing leaves the machine)'
    case 'webhook':
      return `webhook to ${view.webhook.url} (signed; secret set)`
    case 'smtp': {
      const s = view.smtp
      return `smtp via ${s.host}:${s.port}${s.secure ? ' (TLS)' : ''}, from ${s.from}${
        s.user === null ? '' : `, user ${s.user}${s.password_set ? ' (password set)' : ''}`
      }`
    }
  }
}

/** The admin body the flags spell (without --file). */
function bodyOfFlags(values: Readonly<Record<string, string | boolean | undefined>>) {
  const given = (name: string): string | undefined => {
    const v = values[name]
    return typeof v === 'string' ? v : undefined
  }
  const mode = given('mode')
  if (mode === undefined) throw new UsageError('workspaces delivery set needs --mode or --file')
  if (mode === 'webhook') {
    const secret = given('secret')
    return { mode, webhook: { url: given('url'), ...(secret === undefined ? {} : { secret }) } }
  }
  if (mode === 'smtp') {
    const port = given('port')
    const secure = given('secure')
    if (secure !== undefined && secure !== 'on' && secure !== 'off') {
      throw new UsageError('--secure should be on or off')
    }
    const smtp: Record<string, unknown> = { host: given('host') }
    if (port !== undefined) smtp['port'] = /^\d+$/.test(port) ? Number(port) : port
    if (secure !== undefined) smtp['secure'] = secure === 'on'
    for (const name of ['user', 'from']) if (given(name) !== undefined) smtp[name] = given(name)
    return { mode, smtp }
  }
  return { mode }
}

export const deliveryCommand: Command = async (args, env) => {
  const [action, ...rest] = args
  const values = parseStoreFlags(rest, FLAGS)
  const id = values.id
  if (action !== 'show' && action !== 'set') {
    throw new UsageError(`unknown workspaces delivery command: ${action ?? '(none)'}`)
  }
  if (id === undefined) throw new UsageError(`workspaces delivery ${action} needs --id`)
  const body =
    action === 'set'
      ? values.file !== undefined
        ? jsonObjectFile(values.file)
        : bodyOfFlags(values)
      : undefined
  return withStore(env, values, async (store, config) => {
    const delivery = createDeliverySettings({
      store,
      clock: systemClock,
      secrets: createSecretBox(serverSecret(config), previousSecret(config)),
    })
    try {
      if (body === undefined) {
        const view = await delivery.get(id)
        if (values.json === true) print({ workspace_id: id, delivery: view })
        else process.stdout.write(`Workspace ID:  ${id}\nDelivery:      ${describe(view)}\n`)
        return 0
      }
      const result = await delivery.set(id, parseDeliveryInput(body))
      const secret = result.generatedSecret
      if (values.json === true) {
        print({
          workspace_id: id,
          delivery: result.delivery,
          ...(secret === undefined ? {} : { webhook_secret: secret }),
        })
      } else {
        process.stdout.write(
          `Workspace ID:  ${id}\nDelivery:      ${describe(result.delivery)}\n${
            secret === undefined
              ? ''
              : `Webhook secret: ${secret}\n  (shown once: give it to the receiver, which verifies each request with it)\n`
          }`,
        )
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
