/**
 * A workspace's delivery mode (docs/outbox.md "Delivery"): `record` (the default: messages are
 * kept in the outbox, nothing leaves the machine), `smtp` (its EMAIL messages handed to an SMTP
 * server) or `webhook` (every message POSTed, signed, to a URL the team runs). Kept in the
 * workspace's settings under `delivery`, so the gateway's cached workspace tells a send whether
 * its messages are to be delivered; the SMTP password and the webhook's signing secret are kept
 * sealed under the server secret (secret-box.ts), never shown again once set. This module reads
 * and checks the setting, seals and opens its secrets, and writes it; the delivery worker
 * (delivery/) does the sending.
 */
import { randomBytes } from 'node:crypto'
import type { Clock } from '../core/clock.js'
import type { Store, WorkspaceSettings as StoredSettings } from '../store/store.js'
import { WorkspaceInputError } from './changes.js'
import type { SecretBox } from './secret-box.js'
import { WorkspaceNotFoundError } from './workspaces.js'

export const DELIVERY_MODES = ['record', 'smtp', 'webhook'] as const
export type DeliveryMode = (typeof DELIVERY_MODES)[number]

/** The settings key the delivery mode is kept under. */
export const DELIVERY_SETTING = 'delivery'

export type SmtpDelivery = Readonly<{
  host: string
  port: number
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean
  user: string | null
  /** The password, sealed (secret-box.ts); null without one. */
  sealedPassword: string | null
  /** The From of a message whose alert sender has no address. */
  from: string
}>

export type WebhookDelivery = Readonly<{
  url: string
  /** The signing secret, sealed (secret-box.ts). */
  sealedSecret: string
}>

export type Delivery =
  | Readonly<{ mode: 'record' }>
  | Readonly<{ mode: 'smtp'; smtp: SmtpDelivery }>
  | Readonly<{ mode: 'webhook'; webhook: WebhookDelivery }>

export const RECORD_ONLY: Delivery = Object.freeze({ mode: 'record' })

/** The default From of SMTP deliveries. */
export const DEFAULT_FROM = 'inlet@localhost'

/** What a sealed delivery secret is bound to: one copied to another workspace does not open. */
export function deliverySealContext(workspaceId: string, what: 'smtp' | 'webhook'): string {
  return `delivery:${what}:${workspaceId}`
}

/** The channels a mode delivers: SMTP only e-mail; a webhook every channel; record none. */
export function deliversChannel(delivery: Delivery, channel: string): boolean {
  if (delivery.mode === 'webhook') return true
  return delivery.mode === 'smtp' && channel === 'EMAIL'
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** The stored setting; anything malformed reads as `record` (nothing leaves the machine). */
export function readDelivery(settings: StoredSettings): Delivery {
  const raw = settings[DELIVERY_SETTING]
  if (!isObject(raw)) return RECORD_ONLY
  if (raw['mode'] === 'smtp' && isObject(raw['smtp'])) {
    const s = raw['smtp']
    const host = text(s['host'])
    const port = s['port']
    if (host === undefined || typeof port !== 'number') return RECORD_ONLY
    return {
      mode: 'smtp',
      smtp: {
        host,
        port,
        secure: s['secure'] === true,
        user: text(s['user']) ?? null,
        sealedPassword: text(s['sealedPassword']) ?? null,
        from: text(s['from']) ?? DEFAULT_FROM,
      },
    }
  }
  if (raw['mode'] === 'webhook' && isObject(raw['webhook'])) {
    const url = text(raw['webhook']['url'])
    const sealedSecret = text(raw['webhook']['sealedSecret'])
    if (url === undefined || sealedSecret === undefined) return RECORD_ONLY
    return { mode: 'webhook', webhook: { url, sealedSecret } }
  }
  return RECORD_ONLY
}

/** The admin view of a delivery mode: never a secret, only whether one is set. */
export type DeliveryView =
  | { mode: 'record' }
  | {
      mode: 'smtp'
      smtp: {
        host: string
        port: number
        secure: boolean
        user: string | null
        password_set: boolean
        from: string
      }
    }
  | { mode: 'webhook'; webhook: { url: string; secret_set: true } }

export function deliveryView(d: Delivery): DeliveryView {
  switch (d.mode) {
    case 'record':
      return { mode: 'record' }
    case 'smtp': {
      const { host, port, secure, user, sealedPassword, from } = d.smtp
      return {
        mode: 'smtp',
        smtp: { host, port, secure, user, password_set: sealedPassword !== null, from },
      }
    }
    case 'webhook':
      return { mode: 'webhook', webhook: { url: d.webhook.url, secret_set: true } }
  }
}

/** A checked admin body: the mode and its settings, secrets in the clear (sealed on save). */
export type DeliveryInput =
  | Readonly<{ mode: 'record' }>
  | Readonly<{
      mode: 'smtp'
      smtp: Readonly<{
        host: string
        port: number
        secure: boolean
        user: string | null
        /** undefined: keep the one set (if the server is the same); null: none. */
        password: string | null | undefined
        from: string
      }>
    }>
  | Readonly<{
      mode: 'webhook'
      /** secret undefined: keep the one set, else generate one. */
      webhook: Readonly<{ url: string; secret: string | undefined }>
    }>

const fail = (attribute: string, detail: string): never => {
  throw new WorkspaceInputError(`${attribute} ${detail}`, attribute)
}

function onlyKeys(raw: Record<string, unknown>, keys: readonly string[], prefix: string): void {
  const unknown = Object.keys(raw).find((k) => !keys.includes(k))
  if (unknown !== undefined) {
    fail(`${prefix}${unknown}`, `is not a known field (known: ${keys.join(', ')})`)
  }
}

/** A string field of at most `max` characters, or undefined when absent. */
function stringField(raw: Record<string, unknown>, key: string, at: string, max = 1024) {
  const v = raw[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || v === '' || v.length > max) {
    return fail(`${at}${key}`, `should be a non-empty string of at most ${max} characters`)
  }
  return v
}

/** An e-mail address, with an optional display name (`Shop <orders@shop.example>`). */
const ADDRESS = /^(?:[^<>\r\n]*<)?[^\s@<>]+@[^\s@<>]+>?$/

/**
 * `{mode: "record"}`, `{mode: "smtp", smtp: {host, port?, secure?, user?, password?, from?}}` or
 * `{mode: "webhook", webhook: {url, secret?}}`; WorkspaceInputError naming the field otherwise.
 */
export function parseDeliveryInput(raw: Record<string, unknown>): DeliveryInput {
  onlyKeys(raw, ['mode', 'smtp', 'webhook'], '')
  const mode = raw['mode']
  if (typeof mode !== 'string' || !(DELIVERY_MODES as readonly string[]).includes(mode)) {
    return fail('mode', `should be one of ${DELIVERY_MODES.join(', ')}`)
  }
  const other = (['smtp', 'webhook'] as const).find((k) => k !== mode && raw[k] !== undefined)
  if (other !== undefined) fail(other, `is not a setting of the ${mode} mode`)
  if (mode === 'record') return { mode: 'record' }
  const section = raw[mode]
  if (!isObject(section)) return fail(mode, 'should be an object')
  if (mode === 'webhook') {
    onlyKeys(section, ['url', 'secret'], 'webhook.')
    const url = stringField(section, 'url', 'webhook.', 2048)
    let parsed: URL | undefined
    try {
      parsed = url === undefined ? undefined : new URL(url)
    } catch {
      parsed = undefined
    }
    if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol)) {
      return fail('webhook.url', 'should be an http or https URL')
    }
    const secret = stringField(section, 'secret', 'webhook.', 256)
    if (secret !== undefined && secret.length < 16) {
      fail('webhook.secret', 'should be at least 16 characters')
    }
    return { mode: 'webhook', webhook: { url: parsed.href, secret } }
  }
  onlyKeys(section, ['host', 'port', 'secure', 'user', 'password', 'from'], 'smtp.')
  const host = stringField(section, 'host', 'smtp.', 255) ?? fail('smtp.host', 'is required')
  const port = section['port'] ?? 587
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    fail('smtp.port', 'should be a port number (1 to 65535)')
  }
  const secure = section['secure'] ?? port === 465
  if (typeof secure !== 'boolean') fail('smtp.secure', 'should be true or false')
  const from = stringField(section, 'from', 'smtp.', 320) ?? DEFAULT_FROM
  if (!ADDRESS.test(from)) fail('smtp.from', 'should be an e-mail address')
  const password = section['password'] === null ? null : stringField(section, 'password', 'smtp.')
  return {
    mode: 'smtp',
    smtp: {
      host,
      port: port as number, // checked above
      secure: secure as boolean, // checked above
      user: stringField(section, 'user', 'smtp.', 255) ?? null,
      password,
      from,
    },
  }
}

export type DeliverySettings = Readonly<{
  /** The workspace's delivery mode. */
  get(workspaceId: string): Promise<DeliveryView>
  /**
   * Sets the workspace's delivery mode. The webhook secret is answered only when Inlet generated
   * it (as keys are); a secret given, or kept, is never echoed.
   */
  set(
    workspaceId: string,
    input: DeliveryInput,
  ): Promise<{ delivery: DeliveryView; generatedSecret?: string }>
}>

export function createDeliverySettings(
  deps: Readonly<{ store: Store; secrets: SecretBox; clock: Clock }>,
): DeliverySettings {
  const { store, secrets } = deps
  const workspace = async (id: string) => {
    const w = await store.workspaces.get(id)
    if (w === undefined) throw new WorkspaceNotFoundError(id)
    return w
  }
  return {
    get: async (id) => deliveryView(readDelivery((await workspace(id)).settings)),
    async set(id, input) {
      const w = await workspace(id)
      const was = readDelivery(w.settings)
      let generatedSecret: string | undefined
      let stored: Record<string, unknown>
      if (input.mode === 'record') {
        stored = { mode: 'record' }
      } else if (input.mode === 'webhook') {
        let sealedSecret: string
        if (input.webhook.secret !== undefined) {
          sealedSecret = secrets.seal(input.webhook.secret, deliverySealContext(id, 'webhook'))
        } else if (was.mode === 'webhook') {
          sealedSecret = was.webhook.sealedSecret
        } else {
          generatedSecret = `whsec_${randomBytes(32).toString('base64url')}`
          sealedSecret = secrets.seal(generatedSecret, deliverySealContext(id, 'webhook'))
        }
        stored = { mode: 'webhook', webhook: { url: input.webhook.url, sealedSecret } }
      } else {
        const { password, ...smtp } = input.smtp
        // A password not given is kept while the server and user stay the same.
        const kept =
          was.mode === 'smtp' && was.smtp.host === smtp.host && was.smtp.user === smtp.user
            ? was.smtp.sealedPassword
            : null
        const sealedPassword =
          password === undefined
            ? kept
            : password === null
              ? null
              : secrets.seal(password, deliverySealContext(id, 'smtp'))
        stored = { mode: 'smtp', smtp: { ...smtp, sealedPassword } }
      }
      const updated = await store.workspaces.update(id, {
        settings: { ...w.settings, [DELIVERY_SETTING]: stored },
        updatedAt: deps.clock.now(),
      })
      if (updated === undefined) throw new WorkspaceNotFoundError(id)
      const delivery = deliveryView(readDelivery(updated.settings))
      return generatedSecret === undefined ? { delivery } : { delivery, generatedSecret }
    },
  }
}
