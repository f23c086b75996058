/**
 * The only place a failure is written to the wire: any thrown value (our AppError, Fastify's own
 * errors, bugs) becomes the failure envelope of the API family whose route answered
 * (http/envelopes.ts; the Data API's is spec §4.2), with the status, `type` and `message` of that
 * family's entry in core/error-catalogue.ts. A request no route took answers as the Data API. A
 * store that is unavailable (disk full, database down) is a 503 `store_unavailable` with
 * Retry-After. Only `internal` and `store_unavailable` errors are logged, with their cause and
 * request id; request bodies and credentials are never logged.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, toAppError, type ErrorCode } from '../core/errors.js'
import type { Logger } from '../core/log.js'
import { isStoreUnavailable } from '../store/store-errors.js'
import { familyWireError } from '../core/error-catalogue.js'
import type { ApiFamilyName } from '../core/catalogue/types.js'
import { dataEnvelope, type Envelope } from './envelopes.js'

/**
 * What a route tells the error handler: its API family (catalogue and envelope), the endpoint
 * within it (a family's per-endpoint strings) and its body limit (the 413's `{limit}`).
 */
export type RouteConfig = Readonly<{
  family?: ApiFamilyName
  endpoint?: string
  bodyLimitBytes?: number
  /**
   * A PUT, PATCH or DELETE route whose JSON body is parsed (json-body.ts; otherwise only POST
   * routes have one).
   */
  putBody?: boolean
  /** A route whose body is never read (a 405 answer for POST among other methods). */
  noBody?: boolean
}>

/** Each family's envelope, by family name (http/family.ts gathers them). */
export type Envelopes = Readonly<Partial<Record<ApiFamilyName, Envelope>>>

/** The family of a request that no route took (unknown paths, router errors). */
const DEFAULT_FAMILY: ApiFamilyName = 'data'

/** Seconds a client is asked to wait when the store is unavailable. */
export const STORE_RETRY_AFTER_SECONDS = 5

/** Fastify's own error codes that are really client errors of our catalogue. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_MISSING_CONTENT_TYPE: 'content_type_missing',
  FST_ERR_BAD_URL: 'route_not_found',
  // A path parameter longer than the router's maxParamLength: no route has such an id.
  FST_ERR_MAX_PARAM_LENGTH: 'route_not_found',
}

export function routeConfig(request: FastifyRequest): RouteConfig {
  return request.routeOptions.config as RouteConfig // set by every route from RouteConfig
}

/** Any thrown value as the AppError the wire answers (Fastify's codes mapped, a store down 503). */
export function fromFastify(err: unknown, config: RouteConfig): AppError {
  if (err instanceof AppError) return err
  const code = (err as Partial<FastifyError> | undefined)?.code // any thrown value may carry one
  const mapped = code === undefined ? undefined : FASTIFY_CODES[code]
  if (mapped === 'payload_too_large') {
    const kb = Math.round((config.bodyLimitBytes ?? 128 * 1024) / 1024)
    return new AppError(mapped, { params: { limit: `${kb}KB` }, cause: err })
  }
  if (mapped !== undefined) return new AppError(mapped, { cause: err })
  if (isStoreUnavailable(err)) {
    return new AppError('store_unavailable', {
      cause: err,
      headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) },
    })
  }
  return toAppError(err)
}

/** The status and body `family`'s envelope answers `err` with at `endpoint`. */
export function failureBody(
  err: AppError,
  config: RouteConfig,
  requestId: string,
  envelopes: Envelopes,
): { status: number; body: unknown } {
  const family = config.family ?? DEFAULT_FAMILY
  const wire = familyWireError(family, err.code, config.endpoint, err.params)
  const at = config.endpoint === undefined ? {} : { endpoint: config.endpoint }
  return (envelopes[family] ?? dataEnvelope).format({
    ...wire,
    requestId,
    ...at,
    params: err.params,
  })
}

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any route is chosen (a URL
 * that does not decode, a path parameter past maxParamLength), answered with the same envelope.
 * Such a request has no route, so no route config or endpoint family.
 */
export function frameworkErrorHandler(
  envelopes: Envelopes = {},
): (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (err, request, reply) => {
    const { status, body } = failureBody(fromFastify(err, {}), {}, request.id, envelopes)
    void reply.code(status).type('application/json').send(body)
  }
}

/** Where a failure was answered, for the log lines of `internal` and `store_unavailable`. */
export type FailurePlace = Readonly<{ requestId: string; method: string; url: string | undefined }>

/**
 * The answer to `err` at a route of `config`: status, headers (the error's own, and `connection:
 * close` after an oversized body) and the family's envelope; `internal` and `store_unavailable`
 * are logged here. Fastify's error handler and the Data API's raw ingest path both answer with it.
 */
export function failureAnswer(
  err: AppError,
  config: RouteConfig,
  place: FailurePlace,
  envelopes: Envelopes,
  log: Logger,
): { status: number; headers: Readonly<Record<string, string>>; body: unknown } {
  const { status, body } = failureBody(err, config, place.requestId, envelopes)
  const headers: Record<string, string> = { ...err.headers }
  if (err.code === 'payload_too_large') {
    // The rest of an oversized body is not read into memory: the connection closes after this.
    headers['connection'] = 'close'
  }
  if (err.code === 'store_unavailable') {
    log.warn({ err: err.cause, requestId: place.requestId, url: place.url }, 'store unavailable')
  }
  if (err.code === 'internal') {
    log.error(
      { err: err.cause, requestId: place.requestId, method: place.method, url: place.url },
      'internal error',
    )
  }
  return { status, headers, body }
}

export function installErrorHandling(
  app: FastifyInstance,
  log: Logger,
  envelopes: Envelopes = {},
): void {
  const send = (err: AppError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const place = { requestId: request.id, method: request.method, url: request.routeOptions.url }
    const { status, headers, body } = failureAnswer(
      err,
      routeConfig(request),
      place,
      envelopes,
      log,
    )
    return reply.code(status).headers(headers).type('application/json').send(body)
  }
  app.setErrorHandler((err, request, reply) =>
    send(fromFastify(err, routeConfig(request)), request, reply),
  )
  app.setNotFoundHandler((request, reply) => send(new AppError('route_not_found'), request, reply))
}
