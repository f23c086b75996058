/**
 * The dashboard's built front end (web/, built into web/dist by `npm install`), served under
 * /dashboard with a Content-Security-Policy that allows this origin only: every script, style,
 * font and chart is Inlet's own. Hashed assets are cached for a year, index.html never. When the
 * build is missing, /dashboard answers a page saying how to build it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'

/** Where `npm install` (the `prepare` script: vite build web) puts the front end. */
export const DEFAULT_ASSETS_DIR = join(import.meta.dirname, '..', '..', '..', 'web', 'dist')

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inlet dashboard</title></head>
<body><main><h1>The dashboard is not built</h1>
<p>Inlet serves its dashboard from <code>web/dist</code>, which <code>npm install</code> builds.
Run <code>npm install</code> (or <code>npm run build:web</code>) in Inlet's folder and reload.</p></main></body></html>`

function secured(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
}

export function assetRoutes(app: FastifyInstance, dir: string): void {
  const config = { family: 'dashboard' }
  const indexFile = join(dir, 'index.html')
  const index = (reply: FastifyReply) => {
    const built = existsSync(indexFile)
    return secured(reply)
      .code(built ? 200 : 503)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(built ? readFileSync(indexFile) : NOT_BUILT)
  }
  app.get('/dashboard', { config }, (_request, reply) => index(reply))
  app.get('/dashboard/assets/*', { config }, async (request, reply) => {
    const rest = (request.params as { '*': string })['*'] // the wildcard's value
    const file = normalize(join(dir, 'assets', rest))
    const type = TYPES[extname(file)]
    if (!file.startsWith(join(dir, 'assets') + sep) || type === undefined) {
      return secured(reply).code(404).type('text/plain').send('not found')
    }
    try {
      const body = await readFile(file)
      return secured(reply)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type(type)
        .send(body)
    } catch {
      return secured(reply).code(404).type('text/plain').send('not found')
    }
  })
}
