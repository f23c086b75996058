/**
 * Conformance of Cards against MoEngage's published examples
 * (test/fixtures/moengage/moengage-cards-openapi.yml): the fetch and delete request examples are
 * replayed against an inbox a card campaign filled and answer 200 in the documented shapes (the
 * file has no 200 example: the `FetchCardsResponse`, `Card` and `DeleteCardsResponse` schemas'
 * properties, key for key); every documented error example — the 400s, 401s, 429s and 500s of
 * both operations — is produced verbatim but its generated ids (`request_id`, `code`: the request
 * id, as the examples' eight letters are); and every string of the Cards catalogue that is not
 * Inlet's own is a string of the file.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseDocument } from 'yaml'
import { CARDS_ENDPOINTS, CARDS_ERRORS } from '../../src/core/catalogue/cards.js'
import { AppError } from '../../src/core/errors.js'
import { failureBody } from '../../src/http/error-handler.js'
import { cardsEnvelope } from '../../src/http/envelopes.js'
import { WORKSPACE_ID, basicAuth, spendMinuteQuota, type TestApp } from '../helpers/app.js'
import {
  DEMO_CARD_CAMPAIGN,
  cardsApp,
  deleteCards,
  fetchCards,
  sendCampaign,
} from '../helpers/cards.js'
import { assertExamplesCovered, type Media, type OpenApi } from '../helpers/replay.js'

const FILE = readFileSync(
  new URL('../fixtures/moengage/moengage-cards-openapi.yml', import.meta.url),
  'utf8',
)
type Schema = { properties?: Record<string, { $ref?: string }> }
const doc = parseDocument(FILE).toJS() as OpenApi & {
  components: { schemas: Record<string, Schema> }
}
const fetchOp = doc.paths['/cards/fetch']?.['post']
const deleteOp = doc.paths['/cards/delete']?.['delete']
assert.ok(fetchOp !== undefined && deleteOp !== undefined, 'the file documents fetch and delete')

const requestExample = (media: Media | undefined): Record<string, unknown> =>
  media?.example as Record<string, unknown>
const media = (op: typeof fetchOp, status: string): Media | undefined =>
  op?.responses[status]?.content?.['application/json']
const named = (op: typeof fetchOp, status: string): [string, Record<string, unknown>][] =>
  Object.entries(media(op, status)?.examples ?? {}).map(([name, e]) => [
    `${status} ${name}`,
    e.value as Record<string, unknown>,
  ])
const schemaKeys = (name: string): string[] =>
  Object.keys(doc.components.schemas[name]?.properties ?? {}).sort()
const keys = (o: unknown): string[] => Object.keys(o as object).sort()

/** The body without its generated id (`request_id` or `code`), which must be a string. */
function withoutId(body: Record<string, unknown>): Record<string, unknown> {
  const { request_id: requestId, code, ...rest } = body
  assert.equal(typeof (requestId ?? code), 'string')
  return rest
}

/** The fetch example's user: the uid is an e-mail (a MoEngage Standard ID). */
async function exampleApp(t: Parameters<typeof cardsApp>[0]): Promise<TestApp> {
  const app = await cardsApp(t)
  const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
    type: 'customer',
    customer_id: 'example-user',
    attributes: { email: 'user@example.com', first_name: 'Ann' },
  })
  assert.equal(res.statusCode, 200, res.body)
  await app.drain()
  await sendCampaign(app, {
    ...DEMO_CARD_CAMPAIGN,
    campaign_id: 'campaign_id1',
    platforms: ['ANDROID', 'IOS', 'WEB'],
    audience: { type: 'users', customer_ids: ['example-user'] },
  })
  return app
}

describe('Cards replays of moengage-cards-openapi.yml', () => {
  it('answers the fetch example with the documented shape', async (t) => {
    const app = await exampleApp(t)
    const example = requestExample(fetchOp.requestBody?.content?.['application/json'])
    assert.equal(example['uid'], 'user@example.com')
    const res = await fetchCards(app, example)
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<{ data: { cards: Record<string, unknown>[] } }>()
    assert.deepEqual(keys(body), ['data', 'request_id', 'status'])
    assert.deepEqual(keys(body.data), schemaKeys('FetchCardsResponseData'))
    // ANDROID and WEB of the category; the web card was synced before but changed since.
    const cards = body.data.cards
    assert.deepEqual(
      cards.map((c) => c['id']),
      ['campaign_id1_android', 'campaign_id1_web'],
    )
    for (const card of cards) {
      assert.deepEqual(keys(card), schemaKeys('Card'))
      assert.deepEqual(keys(card['meta_data']), schemaKeys('CardMetaData'))
      assert.deepEqual(keys(card['user_activity']), schemaKeys('CardUserActivity'))
      assert.deepEqual(keys(card['display_controls']), schemaKeys('CardDisplayControls'))
      assert.deepEqual(keys(card['template_data']), schemaKeys('CardTemplateData'))
      const [container] = (card['template_data'] as { containers: Record<string, unknown>[] })
        .containers
      assert.deepEqual(keys(container), schemaKeys('CardContainer'))
    }
    // The same request with the campaign's category only: none is "Announcements" but these.
    const other = await fetchCards(app, { ...example, card_category: 'Offers' })
    assert.deepEqual(other.json<{ data: { cards: unknown[] } }>().data.cards, [])
  })

  it('answers the delete example with the documented shape', async (t) => {
    const app = await exampleApp(t)
    const example = requestExample(deleteOp.requestBody?.content?.['application/json'])
    const res = await deleteCards(app, example)
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<{ data: Record<string, unknown> }>()
    assert.deepEqual(keys(body), ['data', 'request_id', 'status'])
    assert.deepEqual(body.data, {
      android: { success: ['campaign_id1'], failed: [], invalid: ['campaign_id2'] },
      ios: { success: ['campaign_id1'], failed: [], invalid: ['campaign_id2'] },
    })
    for (const result of Object.values(body.data)) {
      assert.deepEqual(keys(result), schemaKeys('DeleteCardsPlatformResult'))
    }
  })

  it('produces every documented error example verbatim', async (t) => {
    const app = await exampleApp(t)
    const fetchBody = requestExample(fetchOp.requestBody?.content?.['application/json'])
    const deleteBody = requestExample(deleteOp.requestBody?.content?.['application/json'])
    const wrongKey = { authorization: basicAuth(WORKSPACE_ID, 'not-the-reports-key') }
    const unknownApp = { authorization: basicAuth('NOSUCHWORKSPACE', 'x'), 'moe-appkey': 'x' }
    const produced: Record<string, () => ReturnType<typeof fetchCards>> = {
      '400 user_not_found@fetch': () => fetchCards(app, { ...fetchBody, uid: 'nobody@x.example' }),
      '401 invalid_secret@fetch': () => fetchCards(app, fetchBody, '', wrongKey),
      '401 invalid_app_id@fetch': () => fetchCards(app, fetchBody, '', unknownApp),
      '400 missing_uid@delete': () => deleteCards(app, { campaign_ids: ['campaign_id1'] }),
      '400 invalid_campaigns@delete': () => deleteCards(app, { uid: 'user@example.com' }),
      '400 user_not_found@delete': () => deleteCards(app, { ...deleteBody, uid: 'nobody' }),
      '401 auth_required@delete': () => deleteCards(app, deleteBody, { authorization: undefined }),
    }
    const documented = [
      ...named(fetchOp, '400').map(([n, v]) => [`${n}@fetch`, v] as const),
      ...named(fetchOp, '401').map(([n, v]) => [`${n}@fetch`, v] as const),
      ...named(deleteOp, '400').map(([n, v]) => [`${n}@delete`, v] as const),
      ...named(deleteOp, '401').map(([n, v]) => [`${n}@delete`, v] as const),
    ]
    for (const [name, value] of documented) {
      const request = produced[name]
      assert.ok(request !== undefined, `${name} is produced`)
      const res = await request()
      assert.equal(res.statusCode, Number(name.slice(0, 3)), `${name}: ${res.body}`)
      assert.deepEqual(withoutId(res.json()), withoutId(value), name)
    }
    assertExamplesCovered(
      documented.map(([name]) => name),
      Object.keys(produced),
    )
    // The 429s (both operations document the same body), with the x-ratelimit headers: on an app
    // that has not leased the minute's quota yet.
    const limited = await cardsApp(t)
    await spendMinuteQuota(limited, 'cards_fetch', 50_000)
    await spendMinuteQuota(limited, 'cards_delete', 50_000)
    for (const [op, res] of [
      [fetchOp, await fetchCards(limited, fetchBody)],
      [deleteOp, await deleteCards(limited, deleteBody)],
    ] as const) {
      assert.equal(res.statusCode, 429, res.body)
      const example = media(op, '429')?.example as Record<string, unknown>
      assert.deepEqual(withoutId(res.json()), withoutId(example))
      assert.ok(res.headers['x-ratelimit-limit'] !== undefined)
    }
    // The 500s, through the error handler.
    for (const op of [fetchOp, deleteOp]) {
      const { status, body } = failureBody(
        new AppError('internal'),
        { family: 'cards', endpoint: 'cards' },
        'KMxkunyz',
        { cards: cardsEnvelope },
      )
      assert.equal(status, 500)
      assert.deepEqual(body, media(op, '500')?.example)
    }
  })

  it('documents every string of the Cards catalogue that is not Inlet’s own', () => {
    const strings = [...Object.values(CARDS_ERRORS), ...Object.values(CARDS_ENDPOINTS.cards)]
      .flatMap((w) => [w.message, w.type])
      .filter((s) => s !== undefined)
    const own = new Set<string>([
      '{detail}',
      'Bad Request',
      'MOE-APPKEY is missing in the request headers.',
    ])
    assert.deepEqual(
      strings.filter((s) => !own.has(s) && !FILE.includes(s)),
      [],
    )
  })
})
