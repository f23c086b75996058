/**
 * servedRoutes(app): every `METHOD path` a Fastify app serves, read from its route tree, so tests
 * that must cover every route (isolation walk, the README's endpoint table) fail when one is added.
 */
import type { FastifyInstance } from 'fastify'

/** Every `METHOD path` the app serves, from Fastify's route tree (HEAD routes are GET's twins). */
export function servedRoutes(app: FastifyInstance): string[] {
  const tree = app.printRoutes({ commonPrefix: false })
  const stack: string[] = []
  const routes: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/u.exec(line)
    if (m === null) continue
    const depth = (m[1] ?? '').length / 4
    stack.length = depth
    const path = (stack[depth - 1] ?? '') + (m[2] ?? '')
    stack[depth] = path
    for (const method of (m[3] ?? '').split(', ')) {
      if (method !== '' && method !== 'HEAD') routes.push(`${method} ${path}`)
    }
  }
  return routes.sort()
}
