/**
 * Routes served from node:http ahead of Fastify (a family's `raw`, ApiFamily): each is offered
 * every request in turn and either answers it or passes it on without having read its body;
 * Fastify's own handler answers whatever none took. Only the Data API's ingest of the common
 * shape is one (families/data/raw-ingest.ts). `app.inject` does not pass through here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'

/** Answers `req`, or calls `next` (the next raw route, then Fastify) with its body unread. */
export type RawRoute = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * Requests offered to the raw routes, and those they passed on to Fastify (the rest they
 * answered): the app's `rawRoutes`, for tests and the benchmark's notes.
 */
export type RawRouteStats = { offered: number; passed: number }

declare module 'fastify' {
  interface FastifyInstance {
    rawRoutes: RawRouteStats
  }
}

/** Decorates `app` with its raw routes' stats (before app.ready()): none yet. */
export function decorateRawRoutes(app: FastifyInstance): void {
  app.decorate('rawRoutes', { offered: 0, passed: 0 })
}

/** Puts `routes` in front of the Fastify handler of `app`'s server (after app.ready()). */
export function installRawRoutes(app: FastifyInstance, routes: readonly RawRoute[]): void {
  if (routes.length === 0) return
  const stats = app.rawRoutes
  const listeners = app.server.listeners('request')
  const fastify = listeners[0]
  if (listeners.length !== 1 || fastify === undefined) {
    throw new Error(
      `raw routes: expected Fastify's one request listener, found ${listeners.length}`,
    )
  }
  const handler = fastify as Handler // Fastify's listener is a node:http request handler
  const toFastify: Handler = (req, res) => {
    stats.passed++
    handler(req, res)
  }
  const chain = routes.reduceRight<Handler>(
    (next, route) => (req, res) => route(req, res, () => next(req, res)),
    toFastify,
  )
  app.server.removeListener('request', handler)
  app.server.on('request', (req, res) => {
    stats.offered++
    chain(req, res)
  })
}
