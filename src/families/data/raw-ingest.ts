/**
 * The Data API's raw ingest path: Track User, Create Event and Track Device (`POST
 * /v1/{customer,event,device}/{id}`, spec §7.1, §7.2, §7.4) answered from node:http directly,
 * without Fastify's request lifecycle: 11 % more single events per second, 19 µs less CPU per
 * request (docs/benchmarks.md, the 2026-12-05 11:40 section). It runs the route's own checks and
 * steps, from the same functions and in the same order (shedding, the failed-auth block, the
 * gateway, the JSON body, ingestSubmitter, failureAnswer, the rate-limit headers, the refusal
 * count), and takes only
 * requests of the common shape: POST to one of the three paths with a plain workspace id, no
 * query, a Content-Length within the body limit, no Transfer-Encoding or Content-Encoding, no
 * Idempotency-Key. Every other request — and one whose gateway checks fail, which come before its
 * body is read — goes to Fastify untouched (`next`), which answers it as it always has.
 * INLET_RAW_INGEST=off sends everything to Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Config } from '../../core/config.js'
import { AppError } from '../../core/errors.js'
import type { IdGenerator } from '../../core/ids.js'
import type { Logger } from '../../core/log.js'
import type { AuthFailureLimiter } from '../../http/auth-failures.js'
import { dataEnvelope } from '../../http/envelopes.js'
import { failureAnswer, fromFastify, type RouteConfig } from '../../http/error-handler.js'
import { createAuthenticator, type AuthRequest, type GatewayDeps } from '../../http/gateway.js'
import { parseJsonText } from '../../http/json-body.js'
import type { LoadShedder } from '../../http/load-shedding.js'
import { rateLimitHeadersOf } from '../../http/rate-limit-headers.js'
import type { RefusalCounter } from '../../http/refusals.js'
import type { RawRoute } from '../../http/raw-routes.js'
import { ACCEPTED_MESSAGE } from '../../http/route.js'
import { DATA_AUTH } from '../../http/auth.js'
import { DATA_RATE_LIMIT_HEADERS, recordsOfBody } from './quotas.js'
import { ingestSubmitter, type IngestEndpoint, type IngestRequest, type IngestRouteDeps } from './routes/ingest.js'

/**
 * The paths taken: the endpoint, and a workspace id of URL-safe characters that Fastify's router
 * would pass through undecoded (at most its maxParamLength). Anything else is Fastify's.
 */
const PATH = /^\/v1\/(customer|event|device)\/([A-Za-z0-9._~-]{1,1024})$/

const NO_QUERY: Readonly<Record<string, never>> = Object.freeze({})

/** The Content-Type of every answer, as Fastify writes it for a JSON body. */
const JSON_TYPE = 'application/json; charset=utf-8'

/** The endpoints taken (Bulk Import's bodies are large: Fastify's share of them is small). */
type RawEndpoint = Extract<IngestEndpoint, 'customer' | 'event' | 'device'>
const RAW_ENDPOINTS: readonly RawEndpoint[] = ['customer', 'event', 'device']

export type RawIngestDeps = Readonly<{
  config: Config
  ids: IdGenerator
  log: Logger
  gateway: GatewayDeps
  authFailures: AuthFailureLimiter
  shedder: LoadShedder
  refusals: RefusalCounter
}> &
  Pick<IngestRouteDeps, 'ingest' | 'governance'>

type Route = Readonly<{
  endpoint: RawEndpoint
  config: RouteConfig
  submit: (request: IngestRequest, requestId: string) => Promise<void>
}>

/** The request as the shared checks and steps see it (a FastifyRequest's fields of the same names). */
type RawRequest = AuthRequest & IngestRequest & { readonly ip: string }

export function createRawIngest(deps: RawIngestDeps): RawRoute {
  const authenticate = createAuthenticator(deps.gateway, DATA_AUTH)
  const submitter = ingestSubmitter(deps)
  const routes = new Map<string, Route>(
    RAW_ENDPOINTS.map((endpoint) => {
      const config: RouteConfig = {
        family: 'data',
        endpoint,
        bodyLimitBytes: deps.config.bodyLimitBytes,
      }
      return [endpoint, { endpoint, config, submit: submitter(endpoint) }]
    }),
  )
  const envelopes = { data: dataEnvelope }
  const limit = deps.config.bodyLimitBytes

  /** Writes the answer: status, the given headers in order, the JSON body and its length. */
  function send(
    res: ServerResponse,
    status: number,
    headers: Record<string, string | number>,
    body: unknown,
  ): void {
    const text = JSON.stringify(body)
    headers['content-length'] = Buffer.byteLength(text)
    res.writeHead(status, headers)
    res.end(text)
  }

  /** Where an answer comes from, for failureAnswer's log lines (Fastify's route URL). */
  const placeOf = (route: Route, requestId: string) => ({
    requestId,
    method: 'POST',
    url: `/v1/${route.endpoint}/:id`,
  })

  /**
   * A failure after the gateway, as Fastify's error handler answers it (failureAnswer), with the
   * hooks' headers and count: `connection: close` first when the body did not parse
   * (`unparsedBody`: Fastify's content-type parser sets it), the rate-limit headers once governance saw the request, and the
   * refused records of the workspace.
   */
  function fail(
    res: ServerResponse,
    request: RawRequest,
    err: unknown,
    at: Readonly<{ requestId: string; route: Route; unparsedBody: boolean }>,
  ): void {
    const { config, endpoint } = at.route
    const error = fromFastify(err, config)
    const place = placeOf(at.route, at.requestId)
    const answer = failureAnswer(error, config, place, envelopes, deps.log)
    const headers: Record<string, string | number> = at.unparsedBody ? { connection: 'close' } : {}
    Object.assign(headers, answer.headers)
    headers['content-type'] = JSON_TYPE
    Object.assign(headers, rateLimitHeadersOf(request, DATA_RATE_LIMIT_HEADERS))
    send(res, answer.status, headers, answer.body)
    const workspaceId = request.workspace?.id ?? request.verifiedWorkspaceId
    if (workspaceId !== null) {
      deps.refusals.add(workspaceId, endpoint, recordsOfBody(request.body))
    }
  }

  /**
   * A bug of this path (every expected failure is answered by `fail`): logged, and the request
   * answered 500 if nothing was sent yet, else its connection closed — never a crash.
   */
  function broken(res: ServerResponse, route: Route, requestId: string, err: unknown): void {
    const internal = new AppError('internal', { cause: err })
    const place = placeOf(route, requestId)
    const answer = failureAnswer(internal, route.config, place, envelopes, deps.log)
    if (res.headersSent) {
      res.destroy()
      return
    }
    const headers = { connection: 'close', 'content-type': JSON_TYPE }
    send(res, answer.status, headers, answer.body)
  }

  async function take(
    req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
    route: Route,
    id: string,
    requestId: string,
  ): Promise<void> {
    const request: RawRequest = {
      headers: req.headers,
      params: { id },
      query: NO_QUERY,
      ip: req.socket.remoteAddress ?? '',
      workspace: null,
      verifiedWorkspaceId: null,
      body: undefined,
      bodyText: undefined,
      rateLimit: null,
      rateLimitRefused: false,
    }
    const at = { requestId, route, unparsedBody: false }
    // The scope's onRequest hooks, in order: shedding, then the gateway (http/gateway.ts).
    try {
      deps.shedder.check()
    } catch (err) {
      fail(res, request, err, at) // before the body: Fastify's hooks answer as much
      return
    }
    try {
      deps.authFailures.check(request)
      await authenticate(request)
    } catch {
      // Fastify's gateway answers it (and counts a failed authentication once): the body unread.
      next()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
    })
    req.on('error', () => undefined) // the connection is gone: there is no one to answer
    req.on('end', () => {
      answer(Buffer.concat(chunks, size)).catch((err: unknown) =>
        broken(res, route, requestId, err),
      )
    })

    async function answer(body: Buffer): Promise<void> {
      try {
        // json-body.ts, as Fastify's content-type parser runs it.
        const { text, value } = parseJsonText(body)
        request.body = value
        request.bodyText = text
      } catch (err) {
        fail(res, request, err, { ...at, unparsedBody: true })
        return
      }
      try {
        await route.submit(request, requestId)
      } catch (err) {
        fail(res, request, err, at)
        return
      }
      const headers: Record<string, string | number> = { 'content-type': JSON_TYPE }
      Object.assign(headers, rateLimitHeadersOf(request, DATA_RATE_LIMIT_HEADERS))
      send(res, 200, headers, {
        status: 'success',
        message: ACCEPTED_MESSAGE,
        request_id: requestId,
      })
    }
  }

  return (req, res, next) => {
    const url = req.url
    const match = req.method === 'POST' && url !== undefined ? PATH.exec(url) : null
    const route = match === null ? undefined : routes.get(match[1] ?? '')
    const headers = req.headers
    const length = Number(headers['content-length'])
    if (
      match === null ||
      route === undefined ||
      !(length > 0 && length <= limit) ||
      headers['transfer-encoding'] !== undefined ||
      headers['content-encoding'] !== undefined ||
      headers['idempotency-key'] !== undefined ||
      deps.gateway.isClosing()
    ) {
      next()
      return
    }
    const requestId = deps.ids.requestId()
    take(req, res, next, route, match[2] ?? '', requestId).catch((err: unknown) =>
      broken(res, route, requestId, err),
    )
  }
}
