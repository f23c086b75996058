/**
 * A workspace's Inform alerts (MoEngage defines them in its dashboard, Inform > Alerts; Inlet
 * through the admin API and `inlet workspaces alerts`): the input rules of a definition — its
 * live and test ids (generated when not given), reference names, the channels it sends on
 * (SMS `body`; EMAIL `subject` and `body`; PUSH `title` and `message`; each template compiled
 * here, so one that does not compile is refused at once), each channel's senders and whether it
 * is enabled, and the subscription category its e-mails belong to — its view, and the operations
 * on the store's rows. Sending is the Inform family's (families/inform); this module only
 * defines the alerts.
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import { TemplateSyntaxError, compileTemplate } from '../profile/personalization.js'
import {
  OUTBOX_CHANNELS,
  StoreConflictError,
  type InformAlertRow,
  type OutboxChannel,
  type Store,
} from '../store/store.js'
import { WorkspaceInputError } from './changes.js'
import { WorkspaceNotFoundError } from './workspaces.js'

/** Most alerts one workspace may define. */
export const MAX_ALERTS = 500
/** Most senders of one channel. */
export const MAX_SENDERS = 20
/** Longest template text (a field of a channel). */
export const MAX_TEMPLATE_LENGTH = 256 * 1024

/** One sender of a channel: picked by the request's `sender_attributes` (sender.ts). */
export type SenderDefinition = Readonly<{
  name: string
  /** The e-mail From address or the SMS sender id; absent when the name is all there is. */
  address?: string
  /** The `sender_attributes` values that pick this sender; none: the default sender. */
  attributes?: readonly string[]
}>

/** One channel of an alert, as stored and shown (snake_case, as the admin API takes it). */
export type ChannelDefinition = Readonly<{
  enabled: boolean
  /** EMAIL's subject, PUSH's title. */
  subject?: string
  title?: string
  /** SMS's text, EMAIL's HTML. */
  body?: string
  /** PUSH's text. */
  message?: string
  senders: readonly SenderDefinition[]
}>

export type AlertDefinition = Readonly<{
  /** The subscription category (workspaces/subscription-categories.ts) of its e-mails. */
  subscription_category?: string
  channels: Readonly<Partial<Record<OutboxChannel, ChannelDefinition>>>
}>

export type AlertInput = Readonly<{
  alertId?: string
  testAlertId?: string
  referenceName: string
  testReferenceName?: string
  definition: AlertDefinition
}>

export type AlertView = {
  alert_id: string
  test_alert_id: string
  reference_name: string
  test_reference_name: string | null
  version: number
  subscription_category: string | null
  channels: AlertDefinition['channels']
  created_at: string
  updated_at: string
}

/** Which template fields a channel has, each rendered as text or HTML. */
export const CHANNEL_FIELDS: Readonly<
  Record<
    OutboxChannel,
    readonly (readonly [field: 'subject' | 'title' | 'body' | 'message', kind: 'html' | 'text'])[]
  >
> = {
  SMS: [['body', 'text']],
  EMAIL: [
    ['subject', 'text'],
    ['body', 'html'],
  ],
  PUSH: [
    ['title', 'text'],
    ['message', 'text'],
  ],
}

/** A stored definition as its type (written only by parseAlertInput). */
export function definitionOf(row: InformAlertRow): AlertDefinition {
  return row.definition as AlertDefinition // the stored JSON is a parsed AlertDefinition
}

export function alertView(row: InformAlertRow): AlertView {
  const definition = definitionOf(row)
  return {
    alert_id: row.alertId,
    test_alert_id: row.testAlertId,
    reference_name: row.referenceName,
    test_reference_name: row.testReferenceName,
    version: row.version,
    subscription_category: definition.subscription_category ?? null,
    channels: definition.channels,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  }
}

// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/
const ID = /^[A-Za-z0-9_.:-]{1,100}$/

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Refuses a key of `raw` (at `at`) that is not `known`. */
export function refuseUnknown(
  raw: Record<string, unknown>,
  known: readonly string[],
  at: string,
): void {
  const unknown = Object.keys(raw).find((k) => !known.includes(k))
  if (unknown !== undefined) {
    throw new WorkspaceInputError(
      `${unknown} is not a known field (known: ${known.join(', ')})`,
      at === '' ? unknown : `${at}.${unknown}`,
    )
  }
}

/** A definition's name field: non-empty, at most `max` characters, no control characters. */
export function definitionText(raw: unknown, attribute: string, max = 200): string {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > max || CONTROL.test(raw)) {
    throw new WorkspaceInputError(
      `${attribute} should be a non-empty string of at most ${max} characters without control characters`,
      attribute,
    )
  }
  return raw
}

/** A definition's id field: 1 to 100 of `A-Z a-z 0-9 _ . : -`. */
export function definitionId(raw: unknown, attribute: string): string {
  if (typeof raw !== 'string' || !ID.test(raw)) {
    throw new WorkspaceInputError(
      `${attribute} should be 1 to 100 letters, digits or _ . : -`,
      attribute,
    )
  }
  return raw
}

export function template(raw: unknown, attribute: string, kind: 'html' | 'text'): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > MAX_TEMPLATE_LENGTH) {
    throw new WorkspaceInputError(
      `${attribute} should be a template of 1 to ${MAX_TEMPLATE_LENGTH} characters`,
      attribute,
    )
  }
  try {
    compileTemplate(raw, kind)
  } catch (err) {
    if (err instanceof TemplateSyntaxError) {
      throw new WorkspaceInputError(`${attribute} does not compile: ${err.message}`, attribute)
    }
    throw err
  }
  return raw
}

function sender(raw: unknown, at: string): SenderDefinition {
  if (!isObject(raw)) throw new WorkspaceInputError(`${at} should be an object`, at)
  refuseUnknown(raw, ['name', 'address', 'attributes'], at)
  const attributes = raw['attributes']
  if (
    attributes !== undefined &&
    (!Array.isArray(attributes) ||
      attributes.length === 0 ||
      attributes.some((a) => typeof a !== 'string' || a === '' || a.length > 200))
  ) {
    throw new WorkspaceInputError(
      `${at}.attributes should be a non-empty list of strings`,
      `${at}.attributes`,
    )
  }
  return {
    name: definitionText(raw['name'], `${at}.name`),
    ...(raw['address'] === undefined
      ? {}
      : { address: definitionText(raw['address'], `${at}.address`, 320) }),
    ...(attributes === undefined ? {} : { attributes: attributes as string[] }), // checked above
  }
}

function channel(name: OutboxChannel, raw: unknown): ChannelDefinition {
  const at = `channels.${name}`
  if (!isObject(raw)) throw new WorkspaceInputError(`${at} should be an object`, at)
  const fields = CHANNEL_FIELDS[name]
  refuseUnknown(raw, ['enabled', 'senders', ...fields.map(([f]) => f)], at)
  const enabled = raw['enabled'] ?? true
  if (typeof enabled !== 'boolean') {
    throw new WorkspaceInputError(`${at}.enabled should be true or false`, `${at}.enabled`)
  }
  const senders = raw['senders'] ?? []
  if (!Array.isArray(senders) || senders.length > MAX_SENDERS) {
    throw new WorkspaceInputError(
      `${at}.senders should be a list of at most ${MAX_SENDERS} senders`,
      `${at}.senders`,
    )
  }
  const templates: Record<string, string> = {}
  for (const [field, kind] of fields)
    templates[field] = template(raw[field], `${at}.${field}`, kind)
  return {
    enabled,
    ...templates,
    senders: senders.map((s, i) => sender(s, `${at}.senders[${i}]`)),
  }
}

/**
 * The body of the admin API's alert routes (and the CLI's file): `{reference_name, channels,
 * alert_id?, test_alert_id?, test_reference_name?, subscription_category?}`, nothing else.
 */
export function parseAlertInput(raw: Record<string, unknown>): AlertInput {
  refuseUnknown(
    raw,
    [
      'alert_id',
      'test_alert_id',
      'reference_name',
      'test_reference_name',
      'subscription_category',
      'channels',
    ],
    '',
  )
  const channels = raw['channels']
  if (!isObject(channels) || Object.keys(channels).length === 0) {
    throw new WorkspaceInputError(
      `channels should name at least one of ${OUTBOX_CHANNELS.join(', ')}`,
      'channels',
    )
  }
  refuseUnknown(channels, OUTBOX_CHANNELS, 'channels')
  const parsed: Partial<Record<OutboxChannel, ChannelDefinition>> = {}
  for (const name of OUTBOX_CHANNELS) {
    if (channels[name] !== undefined) parsed[name] = channel(name, channels[name])
  }
  const category = raw['subscription_category']
  return {
    ...(raw['alert_id'] === undefined
      ? {}
      : { alertId: definitionId(raw['alert_id'], 'alert_id') }),
    ...(raw['test_alert_id'] === undefined
      ? {}
      : { testAlertId: definitionId(raw['test_alert_id'], 'test_alert_id') }),
    referenceName: definitionText(raw['reference_name'], 'reference_name'),
    ...(raw['test_reference_name'] === undefined
      ? {}
      : { testReferenceName: definitionText(raw['test_reference_name'], 'test_reference_name') }),
    definition: {
      ...(category === undefined
        ? {}
        : { subscription_category: definitionText(category, 'subscription_category', 100) }),
      channels: parsed,
    },
  }
}

export type InformAlerts = Readonly<{
  list(workspaceId: string): Promise<AlertView[]>
  get(workspaceId: string, alertId: string): Promise<AlertView | undefined>
  /**
   * Creates the alert (ids generated unless given) or, when `alertId` names one, replaces its
   * definition (a new version; ids not given are kept).
   */
  put(workspaceId: string, input: AlertInput): Promise<AlertView>
  /** Removes the alert; false when there was none. Messages it sent stay in the outbox. */
  remove(workspaceId: string, alertId: string): Promise<boolean>
}>

export function createInformAlerts(deps: {
  store: Store
  clock: Clock
  ids: IdGenerator
}): InformAlerts {
  const { store, clock, ids } = deps
  const existing = async (workspaceId: string): Promise<void> => {
    if ((await store.workspaces.get(workspaceId)) === undefined) {
      throw new WorkspaceNotFoundError(workspaceId)
    }
  }
  /** An id of the live space used as a test id (or the other way round) is refused. */
  async function assertIdsApart(row: InformAlertRow): Promise<void> {
    const asTest = await store.alerts.find(row.workspaceId, 'test_alert_id', row.alertId)
    const asLive = await store.alerts.find(row.workspaceId, 'alert_id', row.testAlertId)
    if (
      row.alertId === row.testAlertId ||
      (asTest !== undefined && asTest.alertId !== row.alertId)
    ) {
      throw new WorkspaceInputError('alert_id is the test alert id of an alert', 'alert_id')
    }
    if (asLive !== undefined && asLive.alertId !== row.alertId) {
      throw new WorkspaceInputError(
        'test_alert_id is the alert id of another alert',
        'test_alert_id',
      )
    }
  }
  return {
    list: async (workspaceId) => {
      await existing(workspaceId)
      return (await store.alerts.list(workspaceId)).map(alertView)
    },
    get: async (workspaceId, alertId) => {
      await existing(workspaceId)
      const row = await store.alerts.find(workspaceId, 'alert_id', alertId)
      return row === undefined ? undefined : alertView(row)
    },
    put: async (workspaceId, input) => {
      await existing(workspaceId)
      const before =
        input.alertId === undefined
          ? undefined
          : await store.alerts.find(workspaceId, 'alert_id', input.alertId)
      if (before === undefined && (await store.alerts.list(workspaceId)).length >= MAX_ALERTS) {
        throw new WorkspaceInputError(`a workspace has at most ${MAX_ALERTS} alerts`, 'alert_id')
      }
      const now = clock.now()
      const row: InformAlertRow = {
        workspaceId,
        alertId: input.alertId ?? ids.userId(now),
        testAlertId: input.testAlertId ?? before?.testAlertId ?? ids.userId(now),
        referenceName: input.referenceName,
        testReferenceName: input.testReferenceName ?? before?.testReferenceName ?? null,
        version: (before?.version ?? 0) + 1,
        definition: input.definition,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      }
      await assertIdsApart(row)
      try {
        await store.alerts.put(row)
      } catch (err) {
        if (err instanceof StoreConflictError) {
          throw new WorkspaceInputError(
            'another alert of the workspace has this test_alert_id, reference_name or test_reference_name',
            'reference_name',
          )
        }
        throw err
      }
      return alertView(row)
    },
    remove: async (workspaceId, alertId) => {
      await existing(workspaceId)
      return store.alerts.remove(workspaceId, alertId)
    },
  }
}
