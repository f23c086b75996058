/**
 * How a Data API route is declared: POST behind the gateway, its endpoint (for per-endpoint error
 * strings) and body limit, a compiled serializer for its 200 body, and a JSON 405 for every
 * other method on the same path. Also the success envelope of spec §4.1.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../core/errors.js'
import type { RouteConfig } from './error-handler.js'
import type { Workspace } from '../store/store.js'
import type { DataEndpoint } from '../core/catalogue/types.js'
import type { AcceptedBody } from '../core/reports.js'

export const ACCEPTED_MESSAGE = 'Your request has been accepted and will be processed soon.'

export type { AcceptedBody }

export const acceptedBody = (requestId: string): AcceptedBody => ({
  status: 'success',
  message: ACCEPTED_MESSAGE,
  request_id: requestId,
})

/** A serializer schema for a 200 body whose fields are all strings. */
export function stringFieldsSchema(...fields: readonly string[]): object {
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((field) => [field, { type: 'string' }])),
  }
}

export const ACCEPTED_SCHEMA = stringFieldsSchema('status', 'message', 'request_id')

const OTHER_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const

export type DataRoute = Readonly<{
  url: string
  endpoint: DataEndpoint
  bodyLimitBytes: number
  /** A serializer schema for the 200 body; omitted for bodies of open shape. */
  responseSchema?: object
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
}>

/** Registers `route` on `api` (the gateway-protected scope) and its 405s on `root`. */
export function dataRoute(root: FastifyInstance, api: FastifyInstance, route: DataRoute): void {
  const config: RouteConfig = {
    family: 'data',
    endpoint: route.endpoint,
    bodyLimitBytes: route.bodyLimitBytes,
  }
  api.route({
    method: 'POST',
    url: route.url,
    bodyLimit: route.bodyLimitBytes,
    config,
    ...(route.responseSchema === undefined
      ? {}
      : { schema: { response: { 200: route.responseSchema } } }),
    handler: route.handler,
  })
  root.route({
    method: [...OTHER_METHODS],
    url: route.url,
    config,
    handler: (_request, reply) => {
      void reply.header('allow', 'POST')
      throw new AppError('method_not_allowed')
    },
  })
}

/** The workspace the gateway authenticated; routes behind it can rely on it being set. */
export function workspaceRowOf(request: Readonly<{ workspace: Workspace | null }>): Workspace {
  if (request.workspace === null) throw new AppError('internal')
  return request.workspace
}

export function workspaceOf(request: FastifyRequest): string {
  return workspaceRowOf(request).id
}

/** The parsed body: the JSON parser guarantees an object for every POST behind the gateway. */
export function bodyOf(request: Readonly<{ body: unknown }>): Record<string, unknown> {
  return request.body as Record<string, unknown> // json-body.ts only ever yields objects
}
