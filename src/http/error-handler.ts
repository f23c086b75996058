/**
 * The only place a failure is written to the wire: any thrown value (our AppError, Fastify's own
 * errors, bugs) becomes the MoEngage failure envelope of spec §4.2 with the status, `type` and
 * `message` of http/wire-errors.ts. Only `internal` errors are logged, with their cause and request
 * id; request bodies and credentials are never logged.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, toAppError, type ErrorCode } from '../errors.js'
import type { Logger } from '../log.js'
import { wireError, type EndpointFamily } from './wire-errors.js'

export type RouteConfig = Readonly<{ family?: EndpointFamily; bodyLimitBytes?: number }>

export type FailureBody = {
  status: 'fail'
  error: { attribute?: string; message: string; type: string; request_id: string }
}

/** Fastify's own error codes that are really client errors of our catalogue. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_MISSING_CONTENT_TYPE: 'content_type_missing',
  FST_ERR_BAD_URL: 'route_not_found',
}

export function routeConfig(request: FastifyRequest): RouteConfig {
  return request.routeOptions.config as RouteConfig // set by every route from RouteConfig
}

function fromFastify(err: unknown, config: RouteConfig): AppError {
  if (err instanceof AppError) return err
  const code = (err as Partial<FastifyError> | undefined)?.code // any thrown value may carry one
  const mapped = code === undefined ? undefined : FASTIFY_CODES[code]
  if (mapped === 'payload_too_large') {
    const kb = Math.round((config.bodyLimitBytes ?? 128 * 1024) / 1024)
    return new AppError(mapped, { params: { limit: `${kb}KB` }, cause: err })
  }
  if (mapped !== undefined) return new AppError(mapped, { cause: err })
  return toAppError(err)
}

export function failureBody(
  err: AppError,
  family: EndpointFamily | undefined,
  requestId: string,
): { status: number; body: FailureBody } {
  const wire = wireError(err.code, family, err.params)
  const error: FailureBody['error'] =
    wire.attribute === undefined
      ? { message: wire.message, type: wire.type, request_id: requestId }
      : { attribute: wire.attribute, message: wire.message, type: wire.type, request_id: requestId }
  return { status: wire.status, body: { status: 'fail', error } }
}

/**
 * Fastify's `frameworkErrors` option: the errors its router raises before any route or hook runs
 * (a path that is not valid percent-encoding, a path parameter over the length limit). Such a path
 * names no route: the JSON 404 in the standard envelope, not Fastify's own body.
 */
export function frameworkErrors(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const { status, body } = failureBody(
    new AppError('route_not_found', { cause: err }),
    undefined,
    request.id,
  )
  void reply.code(status).type('application/json').send(body)
}

export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  const send = (err: AppError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const config = routeConfig(request)
    const { status, body } = failureBody(err, config.family, request.id)
    if (err.code === 'internal') {
      log.error(
        {
          err: err.cause,
          requestId: request.id,
          method: request.method,
          url: request.routeOptions.url,
        },
        'internal error',
      )
    }
    return reply.code(status).headers(err.headers).type('application/json').send(body)
  }
  app.setErrorHandler((err, request, reply) =>
    send(fromFastify(err, routeConfig(request)), request, reply),
  )
  app.setNotFoundHandler((request, reply) => send(new AppError('route_not_found'), request, reply))
}
