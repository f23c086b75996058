/**
 * The request-body parser for every route: the body-level checks of spec §4.5 after the size limit
 * (which Fastify enforces per route while reading): empty body, invalid UTF-8 or JSON, nesting past
 * MAX_JSON_DEPTH (Inlet's bound), a NUL character (which no store can keep), and a document that is
 * not a JSON object — each with its error.
 */
import { isUtf8 } from 'node:buffer'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../core/errors.js'
import { routeConfig } from './error-handler.js'
import { containsNulEscape } from './nul.js'

/**
 * Deepest nesting of arrays and objects a body may have. MoEngage keeps two levels of an object
 * attribute (spec §8.3), so valid payloads stay far below; without a bound, a 100 KB body of `[`
 * overflows the stack of every recursive step after JSON.parse (JSON.stringify included).
 */
export const MAX_JSON_DEPTH = 256

/**
 * True when `value` nests arrays and objects deeper than `limit` (the top level counts 1). An
 * iterative walk of the parsed value, so it cannot overflow the stack itself: V8's JSON.parse is
 * iterative too, and this runs after it. On a 100 KB Bulk body it costs about a seventh of a
 * character-by-character scan of the text (docs/benchmarks.md).
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  const values: object[] = [value]
  const depths: number[] = [1]
  while (values.length > 0) {
    const v = values.pop() as object // non-empty: checked by the loop
    const depth = depths.pop() as number // pushed with each value
    if (depth > limit) return true
    if (Array.isArray(v)) {
      for (const child of v as unknown[]) {
        if (typeof child === 'object' && child !== null) {
          values.push(child)
          depths.push(depth + 1)
        }
      }
    } else {
      for (const key in v) {
        const child = (v as Record<string, unknown>)[key]
        if (typeof child === 'object' && child !== null) {
          values.push(child)
          depths.push(depth + 1)
        }
      }
    }
  }
  return false
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The body's text as sent, once it parsed as a JSON object (undefined otherwise): a Bulk
     * request is logged as this text (families/data/bulk-rows.ts). Routes let go of it with the body.
     */
    bodyText: string | undefined
  }
}

export function parseJsonObject(body: Buffer): Record<string, unknown> {
  return parseJsonText(body).value
}

/** parseJsonObject, also returning the text it parsed. */
export function parseJsonText(body: Buffer): { text: string; value: Record<string, unknown> } {
  if (body.length === 0) throw new AppError('empty_body')
  if (!isUtf8(body)) throw new AppError('malformed_json')
  const text = body.toString('utf8')
  if (text.trim() === '') throw new AppError('empty_body')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new AppError('malformed_json', { cause: err })
  }
  if (nestedDeeperThan(parsed, MAX_JSON_DEPTH)) {
    throw new AppError('body_too_deep', { params: { limit: String(MAX_JSON_DEPTH) } })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError('body_not_object')
  }
  if (containsNulEscape(text)) throw new AppError('body_has_nul')
  return { text, value: parsed as Record<string, unknown> } // checked just above: an object
}

function takesBody(request: FastifyRequest): boolean {
  const config = routeConfig(request)
  if (config.noBody === true) return false
  if (request.method === 'POST') return true
  const method = request.method
  return (method === 'PUT' || method === 'PATCH' || method === 'DELETE') && config.putBody === true
}

export function installJsonBodyParser(app: FastifyInstance): void {
  app.decorateRequest('bodyText', undefined)
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer' },
    (
      request: FastifyRequest,
      body: Buffer | string,
      done: (err: Error | null, body?: unknown) => void,
    ) => {
      // spec §4.5: method/route come first. An unknown route answers 404 and another method on a
      // Data API route 405 (route.ts) whatever the body holds; only POST routes take a body, and
      // the PUT, PATCH and DELETE routes that say so (consent's PUTs, Segments' PATCH, Cards'
      // DELETE: RouteConfig `putBody`).
      if (request.is404 || !takesBody(request)) return done(null, undefined)
      try {
        const { text, value } = parseJsonText(typeof body === 'string' ? Buffer.from(body) : body)
        request.bodyText = text
        done(null, value)
      } catch (err) {
        done(err instanceof Error ? err : new AppError('malformed_json'))
      }
    },
  )
}
