/**
 * The README's "What it serves" table against the app's route table, both ways: every endpoint a
 * row names (`METHOD /path`, query left out) is served with that method, and every path the app
 * serves — the admin API and the dashboard's JSON API apart, which have their own tables — is
 * named by a row. A route added
 * without a row, or a row left after its route is gone, fails here.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { createTestApp } from '../helpers/app.js'
import { servedRoutes } from '../helpers/routes.js'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** `:id` and `{workspace_id}` alike read as `{}`. */
const normalize = (path: string): string => path.replace(/:\w+|\{\w+\}/g, '{}')

/** The `METHOD /path` of every code span in the first column of the endpoint table. */
function listedEndpoints(): string[] {
  const section = README.slice(README.indexOf('\n## What it serves'))
  const lines = section.split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'))
  return lines
    .slice(first + 2, end) // past the header row and its rule
    .flatMap((line) => [
      ...(line.split('|')[1] ?? '').matchAll(/`(GET|POST|PUT|PATCH|DELETE) ([^`?]+)[^`]*`/g),
    ])
    .map((m) => `${m[1]} ${normalize(m[2] ?? '')}`)
}

describe('README endpoint table', () => {
  it('names every path the app serves, each with a method it serves', async (t) => {
    const app = await createTestApp(t)
    const served = servedRoutes(app.app)
      .map((route) => {
        const [method, path] = route.split(' ') as [string, string]
        return `${method} ${normalize(path)}`
      })
      .filter((route) => !route.includes(' /inlet/v1/admin/') && !/ \/dashboard[/*]/.test(route))
    const listed = listedEndpoints()
    assert.ok(listed.length > 10, `the table was found: ${listed.join(', ')}`)
    assert.deepEqual(
      listed.filter((endpoint) => !served.includes(endpoint)),
      [],
      'rows whose endpoint is not served',
    )
    const listedPaths = new Set(listed.map((endpoint) => endpoint.split(' ')[1]))
    const unlisted = [...new Set(served.map((route) => route.split(' ')[1]))].filter(
      (path) => !listedPaths.has(path),
    )
    assert.deepEqual(unlisted, [], 'served paths without a row')
  })
})
