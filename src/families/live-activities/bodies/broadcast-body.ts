/**
 * The bodies of the broadcast Live Activity endpoints (moengage-live-activities-openapi.yml
 * `StartLiveActivityRequest`, `UpdateLiveActivityRequest`, `EndLiveActivityRequest`), checked into
 * a BroadcastRequest. MoEngage validates them with pydantic (its 400's detail is pydantic's
 * `extra_forbidden` / "Extra inputs are not permitted"), so Inlet answers the first problem as
 * pydantic names it: `missing` ("Field required"), `string_type`, `dict_type`, `int_type`, or
 * `extra_forbidden` for a key the schema does not have (at the top, in `ios` and in `alert`;
 * `attribute_info` and `content_state` take any keys). `ios` as compact JSON may be at most
 * 5,120 bytes (413 `live_activity_payload_size`).
 */
import { AppError } from '../../../core/errors.js'

export const BROADCAST_ACTIONS = ['start', 'update', 'end'] as const
export type BroadcastAction = (typeof BROADCAST_ACTIONS)[number]

/** APNs' limit for a Live Activity push: "Max size is 5120 bytes". */
export const MAX_IOS_PAYLOAD_BYTES = 5_120

export type Alert = Readonly<{
  title: string
  subtitle?: string
  body: string | Readonly<Record<string, unknown>>
  sound?: string
}>

export type IosPayload = Readonly<{
  /** Epoch seconds. */
  dismissalDate?: number
  /** Epoch seconds (update and end). */
  staleDate?: number
  /** Start only. */
  attributeType?: string
  attributeInfo?: Readonly<Record<string, unknown>>
  contentState: Readonly<Record<string, unknown>>
  alert: Alert
}>

export type BroadcastRequest = Readonly<{
  campaignId: string
  instanceId?: string
  ios: IosPayload
  /** `ios` exactly as sent (recorded in the outbox message). */
  rawIos: Readonly<Record<string, unknown>>
}>

type Problem = Readonly<{ code: string; message: string }>

const PROBLEMS = {
  missing: { code: 'missing', message: 'Field required' },
  string: { code: 'string_type', message: 'Input should be a valid string' },
  dict: { code: 'dict_type', message: 'Input should be a valid dictionary' },
  int: { code: 'int_type', message: 'Input should be a valid integer' },
  extra: { code: 'extra_forbidden', message: 'Extra inputs are not permitted' },
  stringOrDict: { code: 'union_type', message: 'Input should be a valid string or dictionary' },
} as const satisfies Record<string, Problem>

const invalid = (target: string, problem: Problem): AppError =>
  new AppError('live_activity_payload_invalid', {
    params: { target, detail: problem.message, detail_code: problem.code },
  })

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function noExtra(raw: Record<string, unknown>, known: readonly string[], at: string): void {
  const extra = Object.keys(raw).find((k) => !known.includes(k))
  if (extra !== undefined) throw invalid(at === '' ? extra : `${at}.${extra}`, PROBLEMS.extra)
}

function required<T>(
  raw: Record<string, unknown>,
  key: string,
  at: string,
  check: (v: unknown) => v is T,
  problem: Problem,
): T {
  const value = raw[key]
  const target = at === '' ? key : `${at}.${key}`
  if (value === undefined || value === null) throw invalid(target, PROBLEMS.missing)
  if (!check(value)) throw invalid(target, problem)
  return value
}

function optional<T>(
  raw: Record<string, unknown>,
  key: string,
  at: string,
  check: (v: unknown) => v is T,
  problem: Problem,
): T | undefined {
  const value = raw[key]
  if (value === undefined || value === null) return undefined
  if (!check(value)) throw invalid(`${at}.${key}`, problem)
  return value
}

const isString = (v: unknown): v is string => typeof v === 'string'
const isEpoch = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
const isStringOrDict = (v: unknown): v is string | Record<string, unknown> =>
  isString(v) || isObject(v)

function parseAlert(raw: Record<string, unknown>): Alert {
  const alert = required(raw, 'alert', 'ios', isObject, PROBLEMS.dict)
  noExtra(alert, ['title', 'subtitle', 'body', 'sound'], 'ios.alert')
  const title = required(alert, 'title', 'ios.alert', isString, PROBLEMS.string)
  const body = required(alert, 'body', 'ios.alert', isStringOrDict, PROBLEMS.stringOrDict)
  const subtitle = optional(alert, 'subtitle', 'ios.alert', isString, PROBLEMS.string)
  const sound = optional(alert, 'sound', 'ios.alert', isString, PROBLEMS.string)
  return {
    title,
    body,
    ...(subtitle === undefined ? {} : { subtitle }),
    ...(sound === undefined ? {} : { sound }),
  }
}

const IOS_KEYS: Readonly<Record<BroadcastAction, readonly string[]>> = {
  start: ['dismissal_date', 'attribute_type', 'attribute_info', 'content_state', 'alert'],
  update: ['dismissal_date', 'stale_date', 'content_state', 'alert'],
  end: ['dismissal_date', 'stale_date', 'content_state', 'alert'],
}

/** The BroadcastRequest of `action`'s parsed JSON body; AppError `live_activity_*` otherwise. */
export function parseBroadcast(
  action: BroadcastAction,
  body: Record<string, unknown>,
): BroadcastRequest {
  noExtra(body, ['broadcast_live_activity_id', 'instance_id', 'ios'], '')
  const campaignId = required(body, 'broadcast_live_activity_id', '', isString, PROBLEMS.string)
  const instanceId = body['instance_id']
  if (instanceId !== undefined && instanceId !== null && !isString(instanceId)) {
    throw invalid('instance_id', PROBLEMS.string)
  }
  const ios = required(body, 'ios', '', isObject, PROBLEMS.dict)
  noExtra(ios, IOS_KEYS[action], 'ios')
  const dismissalDate = optional(ios, 'dismissal_date', 'ios', isEpoch, PROBLEMS.int)
  const staleDate = optional(ios, 'stale_date', 'ios', isEpoch, PROBLEMS.int)
  const start =
    action === 'start'
      ? {
          attributeType: required(ios, 'attribute_type', 'ios', isString, PROBLEMS.string),
          attributeInfo: required(ios, 'attribute_info', 'ios', isObject, PROBLEMS.dict),
        }
      : {}
  const contentState = required(ios, 'content_state', 'ios', isObject, PROBLEMS.dict)
  const alert = parseAlert(ios)
  if (Buffer.byteLength(JSON.stringify(ios)) > MAX_IOS_PAYLOAD_BYTES) {
    throw new AppError('live_activity_payload_size')
  }
  return {
    campaignId,
    ...(isString(instanceId) && instanceId !== '' ? { instanceId } : {}),
    ios: {
      ...(dismissalDate === undefined ? {} : { dismissalDate }),
      ...(staleDate === undefined ? {} : { staleDate }),
      ...start,
      contentState,
      alert,
    },
    rawIos: ios,
  }
}
