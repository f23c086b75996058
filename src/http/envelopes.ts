/**
 * The error envelopes of MoEngage's API families (moengage-other-apis.md §2.0, E1–E11): one
 * formatter per shape, each turning a catalogue entry (status, `type`/code, message, attribute)
 * into the status and JSON body that family's clients parse. A family names its envelope once
 * (http/family.ts); the error handler is the only caller. Nothing here decides which strings are
 * sent: that is the catalogue's (core/error-catalogue.ts).
 */
import type { WireError } from '../core/catalogue/types.js'
import type { ErrorParams } from '../core/errors.js'

/**
 * What a formatter gets: the catalogue entry with its placeholders filled, the request id, the
 * endpoint that answered (for a family whose endpoints answer in different shapes), and the
 * error's params (for a shape with fields of its own beside the message: E2).
 */
export type Failure = WireError &
  Readonly<{ requestId: string; endpoint?: string; params?: ErrorParams }>

/** What is written: the HTTP status (some families answer failures with 200) and the body. */
export type EnvelopeOutput = Readonly<{ status: number; body: unknown }>

export type Envelope = Readonly<{
  /** The shape's name in moengage-other-apis.md §2.0 (E1 … E11). */
  shape: EnvelopeShape
  format(failure: Failure): EnvelopeOutput
}>

export const ENVELOPE_SHAPES = [
  'E1',
  'E2',
  'E3',
  'E4',
  'E5',
  'E6',
  'E7',
  'E8',
  'E9',
  'E10',
  'E11',
  'E12',
] as const

export type EnvelopeShape = (typeof ENVELOPE_SHAPES)[number]

/** An envelope that answers with the entry's own status: only its body is the shape's. */
const withBody = (shape: EnvelopeShape, body: (f: Failure) => unknown): Envelope => ({
  shape,
  format: (f) => ({ status: f.status, body: body(f) }),
})

/**
 * E1, the Data API's (spec §4.2): `{"status":"fail","error":{"attribute"?,"message","type",
 * "request_id"}}`; also Cohort Sync, File Imports and Test connection.
 */
export const dataEnvelope: Envelope = withBody('E1', (f) => ({
  status: 'fail',
  error:
    f.attribute === undefined
      ? { message: f.message, type: f.type, request_id: f.requestId }
      : { attribute: f.attribute, message: f.message, type: f.type, request_id: f.requestId },
}))

/**
 * E2, Segments v3 and the custom templates' 429: `{"response_id","type":<resource>,"error":
 * {"code","message"[,"existing_cs_name","existing_cs_id","actual_count","limit"]}}`; `type` is the
 * family's resource name (`custom_segment`). The optional fields come from the error's params:
 * `existing_cs_name` and `existing_cs_id` when it has them, `actual_count` and `limit` (numbers)
 * when it has an `actual_count`. Inlet adds `attribute` and `detail` where the entry has them (a
 * field error: which field, what is wrong).
 */
export function resourceEnvelope(resource: string): Envelope {
  return withBody('E2', (f) => {
    const p = f.params ?? {}
    const error: Record<string, unknown> = { code: f.type, message: f.message }
    if (p['existing_cs_name'] !== undefined) error['existing_cs_name'] = p['existing_cs_name']
    if (p['existing_cs_id'] !== undefined) error['existing_cs_id'] = p['existing_cs_id']
    if (p['actual_count'] !== undefined) {
      error['actual_count'] = Number(p['actual_count'])
      error['limit'] = Number(p['limit'])
    }
    if (f.attribute !== undefined) error['attribute'] = f.attribute
    if (f.detail !== undefined) error['detail'] = f.detail
    return { response_id: f.requestId, type: resource, error }
  })
}

/**
 * E3, Segments v2, Content Blocks, Subscription categories, Personalize, Stats, Cards' 401/429:
 * `{"title","description"[,"code"]}`: the entry's `type` is the title; `code` only where the
 * entry has one. An entry without a title (`type` '') is the bare `{"message"}` these families
 * also answer with (Subscription categories' GET 400 `{"message":"Invalid Params Received"}`);
 * an entry without a message is the bare `{"title"}` of Segments v2's 500.
 */
export const titleEnvelope: Envelope = withBody('E3', (f) => {
  if (f.type === '') return { message: f.message }
  if (f.message === '') return { title: f.type }
  return f.code === undefined
    ? { title: f.type, description: f.message }
    : { title: f.type, description: f.message, code: f.code }
})

/** The one detail of a field error (`attribute` set): its code (the entry's, else `fallback`). */
function fieldDetails(
  f: Failure,
  fallback: string,
): { code: string; target: string; message: string }[] {
  if (f.attribute === undefined) return []
  return [{ code: String(f.code ?? fallback), target: f.attribute, message: f.message }]
}

/**
 * E4, Business Events, custom templates, Campaigns V1, Email opt-in: `{"error":{"code":
 * "400 Bad Request","message","details":[{"code","target","message"}],"request_id"}}`. A field
 * error (an entry with `attribute`) is one detail naming it, with the entry's `code` (default
 * `InvalidValue`).
 */
export const detailedEnvelope: Envelope = withBody('E4', (f) => ({
  error: {
    code: f.type,
    message: f.message,
    details: fieldDetails(f, 'InvalidValue'),
    request_id: f.requestId,
  },
}))

/**
 * E4 as Email opt-in answers it (moengage-email-subscription-openapi.yml): `{"error":{"code":
 * "400 Bad Request","message","details":{"target","message"}}}` — `details` one object, the
 * entry's `attribute` its target and `detail` its message; no `details` without an attribute; no
 * request id. Its 429 has no body at all.
 */
export const optInEnvelope: Envelope = {
  shape: 'E4',
  format: (f) => {
    if (f.status === 429) return { status: 429, body: undefined }
    const error =
      f.attribute === undefined
        ? { code: f.type, message: f.message }
        : {
            code: f.type,
            message: f.message,
            details: { target: f.attribute, message: f.detail ?? f.message },
          }
    return { status: f.status, body: { error } }
  },
}

/**
 * E12, Bulk resubscribe (moengage-email-subscription-openapi.yml; moengage-other-apis.md §2.10's
 * `err_code` values, a shape of its own beside E1–E11): `{"response_id","error":{"message",
 * "err_code"}}`, the entry's `type` the `err_code`.
 */
export const errCodeEnvelope: Envelope = withBody('E12', (f) => ({
  response_id: f.requestId,
  error: { message: f.message, err_code: f.type },
}))

/**
 * A family whose endpoints answer in different shapes (consent: Subscription categories E3, Email
 * opt-in E4, Bulk resubscribe E12): the envelope of the endpoint that answered, else `fallback`.
 * Its `shape` is the fallback's.
 */
export function byEndpoint(
  fallback: Envelope,
  envelopes: Readonly<Record<string, Envelope>>,
): Envelope {
  return {
    shape: fallback.shape,
    format: (f) =>
      (f.endpoint !== undefined && Object.hasOwn(envelopes, f.endpoint)
        ? (envelopes[f.endpoint] ?? fallback)
        : fallback
      ).format(f),
  }
}

/**
 * E5, Campaigns V5, Flows, Offerings, Analytics: `{"response_id","error":{"code","message",
 * "target","details":[],"doc_url"}}`; `target` is the attribute ('' when none).
 */
export function v5Envelope(docUrl: string): Envelope {
  return withBody('E5', (f) => ({
    response_id: f.requestId,
    error: {
      code: f.type,
      message: f.message,
      target: f.attribute ?? '',
      details: f.attribute === undefined ? [] : [{ target: f.attribute, message: f.message }],
      doc_url: docUrl,
    },
  }))
}

/** E6, Catalog and Recommendations: `{"error-code","message"}`. */
export const hyphenEnvelope: Envelope = withBody('E6', (f) => ({
  'error-code': f.type,
  message: f.message,
}))

/** E7, Coupons: `{"error":{"code":"kebab-case","message"}}`. */
export const codeEnvelope: Envelope = withBody('E7', (f) => ({
  error: { code: f.type, message: f.message },
}))

/** Inform's documented `status_code` of each HTTP status, for an entry that gives none. */
const INFORM_STATUS_CODES: Readonly<Record<number, number>> = {
  400: 120002,
  401: 120001,
  409: 120105,
  429: 140110,
}

/**
 * E8, Inform: `{"message","err_code","status_code"}`: `type` is the `err_code`
 * (`DUPLICATE_REQUEST_RECEIVED`), the entry's `code` the six-digit `status_code` (120105); an
 * entry without one answers the documented code of its HTTP status (a 5xx: 140109).
 */
export const informEnvelope: Envelope = withBody('E8', (f) => ({
  message: f.message,
  err_code: f.type,
  status_code: Number(
    f.code ?? INFORM_STATUS_CODES[f.status] ?? (f.status >= 500 ? 140109 : 120002),
  ),
}))

/**
 * E9, Push v2/v2.1: every documented failure is HTTP 200 `{"status":"Fail","Error_Message",
 * "responseId","requestId":""}`; a 401 is the body `[]`; other statuses (404, 500)
 * `{"code","status":"error","reason"}`, a 5xx with the request id as its `reference`. A 429 is
 * v2.1's (moengage-push-v2-1-openapi.yml: the body `[]`); v2 refuses its quota with a 200 Fail.
 */
export const pushEnvelope: Envelope = {
  shape: 'E9',
  format: (f) => {
    if (f.status === 401 || f.status === 429) return { status: f.status, body: [] }
    if (f.status >= 404 && f.status !== 413 && f.status !== 415) {
      const body = { code: f.status, status: 'error', reason: f.message }
      return {
        status: f.status,
        body: f.status >= 500 ? { ...body, reference: f.requestId } : body,
      }
    }
    return {
      status: 200,
      body: { status: 'Fail', Error_Message: f.message, responseId: f.requestId, requestId: '' },
    }
  },
}

/**
 * E10, Live Activities: `{"error":{"code":"PayloadError"|"AuthError"|…,"message"}}`; a 400 also
 * has `details` ("applicable only for 400 error responses"): a field error is one detail
 * `{code, target, message}` — code from the error's `detail_code` param (else the entry's code,
 * else `invalid`), target the entry's `attribute`, message its `detail` (else the message). A 429
 * is the body `[]`.
 */
export const liveActivityEnvelope: Envelope = {
  shape: 'E10',
  format: (f) => {
    if (f.status === 429) return { status: 429, body: [] }
    if (f.status !== 400) {
      return { status: f.status, body: { error: { code: f.type, message: f.message } } }
    }
    const details =
      f.attribute === undefined
        ? []
        : [
            {
              code: String(f.params?.['detail_code'] ?? f.code ?? 'invalid'),
              target: f.attribute,
              message: f.detail ?? f.message,
            },
          ]
    return { status: 400, body: { error: { code: f.type, message: f.message, details } } }
  },
}

/**
 * E11, Cards (`{"status":false,"error","request_id"}`) and Message Archival
 * (`{"status":false,"error_message"}`): `field` names the message's key.
 */
export function falseStatusEnvelope(field: 'error' | 'error_message'): Envelope {
  return withBody('E11', (f) =>
    field === 'error'
      ? { status: false, error: f.message, request_id: f.requestId }
      : { status: false, error_message: f.message },
  )
}

/**
 * E11 as Message Archival answers (moengage-message-archival-openapi.yml): a 401
 * `{"status":false,"error"}`, a 5xx `{"title","description","code"}` (the code is the request
 * id), any other failure `{"status":false,"error_message"}`.
 */
export const archivalEnvelope: Envelope = {
  shape: 'E11',
  format: (f) => {
    if (f.status === 401) return { status: 401, body: { status: false, error: f.message } }
    if (f.status >= 500) {
      return {
        status: f.status,
        body: { title: f.type, description: f.message, code: f.requestId },
      }
    }
    return { status: f.status, body: { status: false, error_message: f.message } }
  },
}

/**
 * The File Imports endpoints whose 400s say `"status":"FAILURE"` (the trigger's say `fail`) and
 * whose 404 says `"data"` (the trigger's `"message"`).
 */
const FILE_IMPORT_QUERIES: ReadonlySet<string> = new Set([
  'file_imports_status',
  'file_imports_history',
])

/**
 * File Imports (spec §7.9, moengage-data-openapi.yml "File Import"), whose pages answer in a shape
 * per status: 400 `{"status":"fail"|"FAILURE","error_type","message"}` (`fail` for the trigger,
 * `FAILURE` for status and run history) or, for a value the body cannot take (`type` `400 Bad
 * Request`), `{"success":false,"status_code","data"}`; 401 and 415 `{"title","description"}` (run
 * history's 415 `{"title","error_description"}`); 405 and the trigger's 404
 * `{"status":"fail","message"}`, status and run history's 404 `{"status":"fail","data"}`; 5xx
 * `{"title","description","code"}` (the code is the request id); anything else (403, 413, 429) E1.
 */
export const fileImportsEnvelope: Envelope = {
  shape: 'E1',
  format: (f) => {
    const body = (value: unknown): EnvelopeOutput => ({ status: f.status, body: value })
    if (f.status === 400) {
      if (f.type === '400 Bad Request') {
        return body({ success: false, status_code: f.type, data: f.message })
      }
      const status = FILE_IMPORT_QUERIES.has(f.endpoint ?? '') ? 'FAILURE' : 'fail'
      return body({ status, error_type: f.type, message: f.message })
    }
    if (f.status === 401) return body({ title: f.type, description: f.message })
    if (f.status === 415) {
      return body(
        f.endpoint === 'file_imports_history'
          ? { title: f.type, error_description: f.message }
          : { title: f.type, description: f.message },
      )
    }
    if (f.status === 404 && FILE_IMPORT_QUERIES.has(f.endpoint ?? '')) {
      return body({ status: 'fail', data: f.message })
    }
    if (f.status === 404 || f.status === 405) return body({ status: 'fail', message: f.message })
    if (f.status >= 500) {
      return body({ title: f.type, description: f.message, code: f.requestId })
    }
    return dataEnvelope.format(f)
  },
}

/**
 * E11 as Cards answers (moengage-cards-openapi.yml): a 401 or 429 in E3 `{"title","description",
 * "code"}` (the code is the request id, eight letters like the examples'), a 5xx `{"title",
 * "message"}` as the page's 500 example, any other failure `{"status":false,"error","request_id"}`.
 */
export const cardsEnvelope: Envelope = {
  shape: 'E11',
  format: (f) => {
    if (f.status === 401 || f.status === 429) {
      return {
        status: f.status,
        body: { title: f.type, description: f.message, code: f.requestId },
      }
    }
    if (f.status >= 500) return { status: f.status, body: { title: f.type, message: f.message } }
    return { status: f.status, body: { status: false, error: f.message, request_id: f.requestId } }
  },
}
