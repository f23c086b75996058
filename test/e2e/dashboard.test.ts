/**
 * The dashboard end to end (issue 19's acceptance), on the real process in Debian's Chromium:
 * sign in with the printed workspace credentials, send data through the Data API, find the user
 * by email, open the profile and see each attribute type and the event, watch a new event appear
 * live within a second of its 200, find a rejected record and its reason, see a Bulk Import
 * request's records counted under Bulk Import, sign out and see a Live page of another tab stop,
 * and — signed in as the operator — rotate the workspace's key. On every page axe-core finds no serious or critical
 * violation, the page makes no request outside Inlet's origin and breaks no CSP rule; the
 * screenshots of docs/dashboard.md are taken here.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { chromiumPath, launchChromium, seriousViolations } from '../helpers/browser.js'
import { ROOT, startServer, waitForNoLag } from '../helpers/server.js'

const ADMIN_TOKEN = 'dashboard-e2e-admin-token'
/**
 * Where the screenshots go: docs/dashboard/ when asked (`npm run screenshots`), else a throwaway
 * directory, so that a test run leaves the working tree as it was.
 */
const SHOTS =
  process.env['INLET_SCREENSHOTS'] === 'docs'
    ? join(ROOT, 'docs', 'dashboard')
    : mkdtempSync(join(tmpdir(), 'inlet-dashboard-shots-'))

async function checkPage(page: Page, name: string): Promise<void> {
  const violations = await seriousViolations(page)
  assert.deepEqual(violations, [], `${name}: axe-core violations`)
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

const skip = chromiumPath() === undefined && process.env['CI'] === undefined
describe('dashboard in Chromium', { timeout: 240_000, skip }, () => {
  it('signs in, finds a user by email, shows live records and rejections, rotates a key', async (t) => {
    const server = await startServer(t, { env: { INLET_ADMIN_TOKEN: ADMIN_TOKEN } })
    const context = await launchChromium(t, { width: 1280, height: 900 })
    const page = context.pages()[0] ?? (await context.newPage())
    const origin = new URL(server.baseUrl).origin
    const foreign: string[] = []
    const cspErrors: string[] = []
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url())
    })
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text())
    })

    // Sign in with the workspace's Data API key.
    await page.goto(`${server.baseUrl}/dashboard`)
    await page.getByRole('heading', { name: 'Sign in to Inlet' }).waitFor()
    await checkPage(page, 'sign-in')
    await page.getByLabel('Workspace ID').fill(server.workspaceId)
    await page.getByLabel('Data API key', { exact: true }).fill('not the key')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor()
    await page.getByLabel('Data API key', { exact: true }).fill(server.apiKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Users' }).waitFor()

    // Data through the API: every attribute type, an event, a device, a record kept out.
    const ws = server.workspaceId
    const send = async (path: string, body: unknown): Promise<string> => {
      const res = await server.post(path, body)
      assert.equal(res.status, 200, JSON.stringify(res.body))
      return (res.body as { request_id: string }).request_id
    }
    await send(`/v1/customer/${ws}`, {
      type: 'customer',
      customer_id: 'ada',
      attributes: {
        email: 'Ada@Example.com',
        first_name: 'Ada',
        signed_up: '2024-01-02T03:04:05Z',
        points: 42,
        vip: true,
        plan: 'gold',
        tags: ['math', 'engines'],
      },
    })
    await send(`/v1/event/${ws}`, {
      type: 'event',
      customer_id: 'ada',
      actions: [{ action: 'Opened Notebook', attributes: { page: 7 }, platform: 'web' }],
    })
    await send(`/v1/device/${ws}`, {
      type: 'device',
      customer_id: 'ada',
      device_id: 'ada-phone',
      attributes: { platform: 'ANDROID', push_id: 'push-token-1' },
    })
    await send(`/v1/customer/${ws}`, { type: 'customer', customer_id: 'guest' })
    await waitForNoLag(server)

    // Find the user by email (any case, a prefix) and open the profile.
    await page.getByLabel('Search by', { exact: true }).selectOption('email')
    await page.getByLabel('Value', { exact: true }).fill('ada@exa')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('link', { name: 'ada' }).click()
    await page.getByRole('heading', { name: 'User ada' }).waitFor()
    await page.getByRole('heading', { name: 'Opened Notebook' }).waitFor()
    const attributes = page.getByRole('table', { name: 'Attributes', exact: true })
    for (const [name, type] of [
      ['signed_up', 'datetime'],
      ['points', 'number'],
      ['vip', 'boolean'],
      ['plan', 'string'],
      ['tags', 'array'],
    ] as const) {
      const row = attributes.getByRole('row').filter({ hasText: name })
      assert.match(await row.innerText(), new RegExp(`\\b${type}\\b`), `${name} is a ${type}`)
    }
    await page.getByRole('cell', { name: 'ada-phone' }).waitFor()
    // Last seen: the newest event's time (ada has no last_seen attribute).
    assert.notEqual(await page.locator('dt:has-text("Last seen") + dd').innerText(), '—')
    // Identity links are the stored ones: none while the workspace's Identity Resolution is off.
    await page.getByText('none (Identity Resolution is off)').waitFor()
    await checkPage(page, 'profile')
    await page.goto(`${server.baseUrl}/dashboard#/users`)
    await page.getByRole('link', { name: 'ada' }).waitFor()
    await checkPage(page, 'users')

    // Live: a new event shows within a second of its 200.
    await page.getByRole('link', { name: 'Live' }).click()
    await page.getByText('Connected').waitFor()
    const sentAt = Date.now()
    await send(`/v1/event/${ws}`, {
      type: 'event',
      customer_id: 'ada',
      actions: [{ action: 'Live Probe', attributes: {} }],
    })
    const acked = Date.now()
    await page.getByText('Live Probe').waitFor({ timeout: 5_000 })
    const shownAfterMs = Date.now() - acked
    assert.ok(shownAfterMs <= 1_000, `shown ${shownAfterMs} ms after its 200 (sent ${sentAt})`)
    await page.locator('li.state-applied', { hasText: 'Live Probe' }).waitFor({ timeout: 5_000 })
    await page.getByRole('button', { name: 'Pause' }).click()
    await checkPage(page, 'live')

    // The rejected record and its reason.
    await page.getByRole('link', { name: 'Rejections' }).click()
    await page.getByLabel('Reason contains').fill('guest')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.getByRole('cell', { name: /customer_id 'guest' is on MoEngage's list/ }).waitFor()
    await checkPage(page, 'rejections')
    await page.getByRole('link', { name: /#0/ }).first().click()
    await page.getByRole('heading', { name: /^Request / }).waitFor()
    await page.getByRole('cell', { name: 'skipped' }).waitFor()
    await checkPage(page, 'request')
    await page.getByRole('link', { name: 'Requests' }).first().click()
    await page.getByRole('table', { name: /Recent requests/ }).waitFor()
    await checkPage(page, 'requests')
    // A segment made through /v3/custom-segments: its count, definition and members, each a link
    // to the profile.
    const made = await fetch(`${server.baseUrl}/v3/custom-segments`, {
      method: 'POST',
      headers: {
        authorization: server.authorization,
        'moe-appkey': ws,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        name: 'Ada alone',
        included_filters: {
          filter_operator: 'and',
          filters: [
            {
              filter_type: 'user_attributes',
              name: 'ID',
              data_type: 'string',
              operator: 'is',
              value: 'ada',
            },
          ],
        },
      }),
    })
    assert.equal(made.status, 201, await made.text())
    await page.getByRole('link', { name: 'Segments' }).click()
    await page.getByRole('link', { name: 'Ada alone' }).click()
    await page.getByText('1 member now').waitFor()
    await checkPage(page, 'segment')
    await page.getByRole('table', { name: 'Members' }).getByRole('link', { name: 'ada' }).click()
    await page.getByText('none (Identity Resolution is off)').waitFor()
    // A refused request counts its records (3 actions); the accepted ones come from the log.
    const refused = await server.post(`/v1/event/${ws}`, {
      type: 'event',
      actions: [{ action: 'A' }, { action: 'B' }, { action: 'C' }],
    })
    assert.equal(refused.status, 400)
    // A Bulk Import request's records count under Bulk Import, whatever their kinds.
    await send(`/v1/transition/${ws}`, {
      type: 'transition',
      elements: [
        { type: 'customer', customer_id: 'bulk-1', attributes: { plan: 'free' } },
        { type: 'event', customer_id: 'bulk-1', actions: [{ action: 'Bulk Probe' }] },
      ],
    })
    await page.getByRole('link', { name: 'Workspace' }).click()
    await page.getByRole('heading', { name: 'Records per minute' }).waitFor()
    await page.locator('canvas').first().waitFor()
    const createEvent = page
      .getByRole('table', { name: 'Records per API over the span' })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'Create Event' }) })
    assert.deepEqual(await createEvent.getByRole('cell').allInnerTexts(), ['2', '3'])
    const bulkImport = page
      .getByRole('table', { name: 'Records per API over the span' })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'Bulk Import' }) })
    assert.deepEqual(await bulkImport.getByRole('cell').allInnerTexts(), ['2', '0'])
    assert.equal(await page.getByLabel('API', { exact: true }).inputValue(), 'event')
    assert.equal(await page.getByRole('button', { name: 'Rotate key' }).count(), 0)
    await checkPage(page, 'workspace')

    // At phone width the navigation wraps and the pages still work.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByRole('link', { name: 'ada' }).waitFor()
    await checkPage(page, 'users-phone')
    await page.setViewportSize({ width: 1280, height: 900 })

    // Signing out ends the session everywhere: a Live page open in another tab stops.
    const other = await context.newPage()
    await other.goto(`${server.baseUrl}/dashboard#/live`)
    await other.getByText('Connected').waitFor()
    // The operator rotates the key: the old key stops working, the new one works.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await other.getByText('The session ended').waitFor({ timeout: 10_000 })
    await other.close()
    await page.getByLabel('the admin token (operator)').check()
    await page.getByLabel('Admin token', { exact: true }).fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Workspace' }).click()
    await page.getByRole('button', { name: 'Rotate key' }).click()
    const key = await page.locator('code.secret').innerText()
    assert.notEqual(key, server.apiKey)
    await checkPage(page, 'workspace-operator')
    const withKey = (secret: string) =>
      fetch(`${server.baseUrl}/v1/customer/${ws}`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${ws}:${secret}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ type: 'customer', customer_id: 'after-rotation' }),
      })
    assert.equal((await withKey(server.apiKey)).status, 401)
    assert.equal((await withKey(key)).status, 200)

    assert.deepEqual(foreign, [], 'no request leaves Inlet')
    assert.deepEqual(cspErrors, [], 'no CSP violation')
  })
})
