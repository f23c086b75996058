/**
 * Segments v2's requests and Cohort Sync's, checked at the edge (moengage-other-apis.md §2.1,
 * §2.2): a file segment's create body (`name`, `attribute_name`, `attribute_type`, `file_url`,
 * `callback_url`, `emails`, `expiry_time`), the add-users / remove-users / replace body (the same
 * but `expiry_time`, and `cs_id`, which wins over `name`), the archive and unarchive body
 * (`name`, `cs_id`), and a Cohort Sync body (`action`, `partner`, `parameters` with
 * `cohort_name`, `cohort_id`, `cohort_description`, `members[].uid`). A file-segment body not as
 * documented is `segment_file_invalid` with what is wrong; URLs are checked against the server's
 * policy here too (file-source.ts), so a refused scheme never queues a job. Cohort Sync answers
 * a missing field as the Data API does (`field_missing`), and a wrong one `segment_cohort_invalid`.
 */
import { AppError } from '../../../core/errors.js'
import type { ImportOperation } from '../../../store/store.js'
import { urlProblem, type SourcePolicy } from '../../../imports/file-source.js'
import { NAME_MAX_LENGTH } from './segment-bodies.js'

type Body = Readonly<Record<string, unknown>>

/** The longest `expiry_time` Inlet takes, in days (MoEngage states none): ten years. */
export const EXPIRY_MAX_DAYS = 3_650

/** The most `emails` one request may name (MoEngage states none). */
export const EMAILS_MAX = 100

export type FileSegmentBody = Readonly<{
  name: string | undefined
  csId: string | undefined
  attributeName: string
  attributeType: 'string' | 'double'
  fileUrl: string
  callbackUrl: string | null
  emails: readonly string[]
  /** Days (create only). */
  expiryDays: number | undefined
}>

const invalid = (reason: string): AppError =>
  new AppError('segment_file_invalid', { params: { reason } })

const HTML = /[<>]/
const EMAIL = /^[^\s@]+@[^\s@]+$/

/** A required non-empty string field. */
function required(body: Body, key: string): string {
  const v = body[key]
  if (v === undefined || v === null) throw invalid(`${key} is required`)
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`${key} must be a non-empty string`)
  return v
}

function optionalText(body: Body, key: string): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`${key} must be a non-empty string`)
  return v
}

/** A segment name as a create gives it: no HTML characters, not only whitespace, bounded. */
export function checkedName(name: string): string {
  if (HTML.test(name) || name.length > NAME_MAX_LENGTH) {
    throw invalid(
      `name must not contain HTML characters and must be at most ${NAME_MAX_LENGTH} characters`,
    )
  }
  return name
}

/** A file-segment body: `operation` create takes `expiry_time`, the others `cs_id`. */
export function parseFileSegmentBody(
  body: Body,
  operation: ImportOperation,
  policy: SourcePolicy,
): FileSegmentBody {
  const creating = operation === 'create'
  const csId = creating ? undefined : optionalText(body, 'cs_id')
  const name = creating || csId === undefined ? required(body, 'name') : optionalText(body, 'name')
  const attributeName = required(body, 'attribute_name')
  const attributeType = required(body, 'attribute_type')
  if (attributeType !== 'string' && attributeType !== 'double') {
    throw invalid('attribute_type must be one of string, double')
  }
  const fileUrl = required(body, 'file_url')
  const fileProblem = urlProblem(fileUrl, policy, 'file')
  if (fileProblem !== undefined) throw invalid(`file_url ${fileProblem}`)
  const callbackUrl = optionalText(body, 'callback_url') ?? null
  if (callbackUrl !== null) {
    const problem = urlProblem(callbackUrl, policy, 'callback')
    if (problem !== undefined) throw invalid(`callback_url ${problem}`)
  }
  const emails = body['emails'] ?? []
  if (
    !Array.isArray(emails) ||
    emails.length > EMAILS_MAX ||
    !emails.every((e) => typeof e === 'string' && EMAIL.test(e))
  ) {
    throw invalid(`emails must be an array of at most ${EMAILS_MAX} email addresses`)
  }
  let expiryDays: number | undefined
  if (creating) {
    const expiry = body['expiry_time']
    if (expiry === undefined || expiry === null) throw invalid('expiry_time is required')
    if (
      typeof expiry !== 'number' ||
      !Number.isInteger(expiry) ||
      expiry < 1 ||
      expiry > EXPIRY_MAX_DAYS
    ) {
      throw invalid(`expiry_time must be a whole number of days from 1 to ${EXPIRY_MAX_DAYS}`)
    }
    expiryDays = expiry
  }
  return {
    name: name === undefined ? undefined : creating ? checkedName(name) : name,
    csId,
    attributeName,
    attributeType,
    fileUrl,
    callbackUrl,
    emails: emails as string[], // every element checked a string above
    expiryDays,
  }
}

/** Archive and unarchive: `name` required, `cs_id` wins when given. */
export function parseArchiveBody(body: Body): { name: string; csId: string | undefined } {
  return { name: required(body, 'name'), csId: optionalText(body, 'cs_id') }
}

export type CohortBody = Readonly<{
  action: 'add_members' | 'remove_members'
  partner: string
  name: string
  cohortId: string
  description: string | null
  uids: readonly string[]
}>

const missing = (key: string): AppError => new AppError('field_missing', { params: { key } })
const wrong = (key: string, reason: string): AppError =>
  new AppError('segment_cohort_invalid', { params: { key, reason: `${key} ${reason}` } })

/** §2.2: a cohort name must not start with "." nor contain | * ? \ : < > = $ ". */
const COHORT_NAME_FORBIDDEN = /[|*?\\:<>=$"]/

function cohortText(o: Body, key: string, path: string = key): string {
  const v = o[key]
  if (v === undefined || v === null) throw missing(path)
  if (typeof v !== 'string' || v.trim() === '') throw wrong(path, 'must be a non-empty string')
  return v
}

/** The most members one Cohort Sync request may name (its 128 KB body holds fewer anyway). */
export const COHORT_MEMBERS_MAX = 10_000

export function parseCohortBody(body: Body): CohortBody {
  const action = cohortText(body, 'action')
  if (action !== 'add_members' && action !== 'remove_members') {
    throw wrong('action', 'must be one of add_members, remove_members')
  }
  const partner = cohortText(body, 'partner')
  const p = body['parameters']
  if (p === undefined || p === null) throw missing('parameters')
  if (typeof p !== 'object' || Array.isArray(p)) throw wrong('parameters', 'must be an object')
  const params = p as Body // an object: checked above
  const name = cohortText(params, 'cohort_name', 'parameters.cohort_name')
  if (name.startsWith('.') || COHORT_NAME_FORBIDDEN.test(name) || name.length > NAME_MAX_LENGTH) {
    throw wrong(
      'parameters.cohort_name',
      `must not start with "." nor contain | * ? \\ : < > = $ " and must be at most ${NAME_MAX_LENGTH} characters`,
    )
  }
  const cohortId = cohortText(params, 'cohort_id', 'parameters.cohort_id')
  const d = params['cohort_description']
  if (d !== undefined && d !== null && typeof d !== 'string') {
    throw wrong('parameters.cohort_description', 'must be a string')
  }
  const members = params['members']
  if (members === undefined || members === null) throw missing('parameters.members')
  if (!Array.isArray(members) || members.length > COHORT_MEMBERS_MAX) {
    throw wrong('parameters.members', `must be an array of at most ${COHORT_MEMBERS_MAX} members`)
  }
  const uids = members.map((m: unknown, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw wrong(`parameters.members[${i}]`, 'must be an object')
    }
    return cohortText(m as Body, 'uid', `parameters.members[${i}].uid`)
  })
  return {
    action,
    partner,
    name,
    cohortId,
    description: typeof d === 'string' ? d : null,
    uids,
  }
}
