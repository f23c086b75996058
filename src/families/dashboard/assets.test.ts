// The dashboard's front end as Inlet serves it (assets.ts): the page and every asset it names
// with a Content-Security-Policy that allows this origin only, the page naming nothing of another
// origin, assets cached and the page not, nothing outside web/dist/assets served, and — without a
// build — a page saying how to build it.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Fastify from 'fastify'
import { createTestApp } from '../../../test/helpers/app.js'
import { CONTENT_SECURITY_POLICY, DEFAULT_ASSETS_DIR, assetRoutes } from './assets.js'

/** Each directive's sources, by directive. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((d) => {
      const [name = '', ...sources] = d.trim().split(/\s+/)
      return [name, sources]
    }),
  )
}

describe("the dashboard's front end", () => {
  it('allows no other origin: every source is this one (images also data:), or none', () => {
    const policy = directives(CONTENT_SECURITY_POLICY)
    assert.deepEqual(policy.get('default-src'), ["'self'"])
    for (const name of ['script-src', 'style-src', 'font-src', 'connect-src']) {
      assert.deepEqual(policy.get(name), ["'self'"], name)
    }
    assert.deepEqual(policy.get('img-src'), ["'self'", 'data:'])
    assert.deepEqual(policy.get('object-src'), ["'none'"])
    assert.deepEqual(policy.get('frame-ancestors'), ["'none'"])
    for (const [name, sources] of policy) {
      for (const source of sources) {
        assert.ok(["'self'", "'none'", 'data:'].includes(source), `${name} allows ${source}`)
      }
    }
  })

  it('serves the page and each asset it names with that policy, from this origin only', async (t) => {
    const app = await createTestApp(t)
    const page = await app.app.inject({ method: 'GET', url: '/dashboard' })
    assert.equal(page.statusCode, 200, 'web/dist is built (npm install)')
    assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY)
    assert.equal(page.headers['cache-control'], 'no-store')
    assert.equal(page.headers['x-frame-options'], 'DENY')
    const named = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '')
    assert.ok(named.length >= 2, page.body)
    for (const url of named) {
      assert.match(url, /^\/dashboard\/assets\/[\w.-]+$/, 'an asset of this origin')
      const asset = await app.app.inject({ method: 'GET', url })
      assert.equal(asset.statusCode, 200, url)
      assert.equal(asset.headers['content-security-policy'], CONTENT_SECURITY_POLICY)
      assert.match(String(asset.headers['cache-control']), /immutable/)
      assert.doesNotMatch(
        asset.body,
        /\b(?:src|href)=["']https?:\/\//,
        `${url} loads nothing remote`,
      )
    }
    for (const url of [
      '/dashboard/assets/..%2Findex.html',
      '/dashboard/assets/../../package.json',
      '/dashboard/assets/nothing.js',
    ]) {
      const res = await app.app.inject({ method: 'GET', url })
      assert.equal(res.statusCode, 404, url)
      assert.ok(!res.body.includes('"dependencies"') && !res.body.includes('<html'), url)
    }
  })

  it('answers a page saying how to build it when web/dist is missing', async (t) => {
    const empty = mkdtempSync(join(tmpdir(), 'inlet-no-dist-'))
    t.after(() => rmSync(empty, { recursive: true, force: true }))
    const app = Fastify()
    t.after(() => app.close())
    assetRoutes(app, empty)
    const res = await app.inject({ method: 'GET', url: '/dashboard' })
    assert.equal(res.statusCode, 503)
    assert.match(res.body, /npm install/)
    assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY)
    assert.notEqual(DEFAULT_ASSETS_DIR, empty)
  })
})
