// GET /inlet/v1/outbox and its tail: messages newest first under each filter, paged by an opaque
// cursor, bad parameters answered 400 naming them, the Data key required; the tail (over a real
// socket) streams each message as it is recorded, from `after`, Last-Event-ID or now.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { START_TIME, type TestApp } from '../../../test/helpers/app.js'
import { INFORM_AUTH, informApp, send, DEMO_ALERT } from '../../../test/helpers/inform.js'
import type { OutboxMessageView } from '../../http/outbox-view.js'

type Page = { status: string; messages: OutboxMessageView[]; next_cursor: string | null }

function list(app: TestApp, query = '', authorization = app.headers['authorization'] ?? '') {
  return app.app.inject({
    method: 'GET',
    url: `/inlet/v1/outbox${query}`,
    headers: { authorization },
  })
}

/** Sends the demo alert's SMS (and EMAIL when `email`) to `user` with transaction `n`. */
async function sendTo(app: TestApp, user: string, n: number, email = false): Promise<void> {
  const res = await send(app, {
    alert_id: DEMO_ALERT.alert_id,
    user_id: user,
    transaction_id: `T${n}`,
    payloads: {
      SMS: { recipient: `+1555000${n}`, personalized_attributes: { firstname: user } },
      ...(email ? { EMAIL: { recipient: `${user}@example.com` } } : {}),
    },
  })
  assert.equal(res.statusCode, 200, res.body)
}

/** The `message` events of an SSE text. */
function events(text: string): OutboxMessageView[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: message'))
    .map((block) => JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as OutboxMessageView)
}

describe('GET /inlet/v1/outbox', () => {
  it('lists the messages newest first under each filter, and pages them', async (t) => {
    const app = await informApp(t)
    await sendTo(app, 'ann', 1, true)
    app.clock.advance(1_000)
    await sendTo(app, 'bob', 2)
    app.clock.advance(1_000)
    await sendTo(app, 'ann', 3)
    const all = await list(app)
    assert.equal(all.statusCode, 200, all.body)
    const page = all.json<Page>()
    assert.deepEqual(
      page.messages.map((m) => [m.user_id, m.channel, m.body]),
      [
        ['ann', 'SMS', 'Hi ann, order  arrives soon.'],
        ['bob', 'SMS', 'Hi bob, order  arrives soon.'],
        ['ann', 'EMAIL', '<p>Hi there</p>'],
        ['ann', 'SMS', 'Hi ann, order  arrives soon.'],
      ],
    )
    assert.equal(page.next_cursor, null)
    const first = page.messages.at(-1)
    assert.deepEqual(first && { ...first, id: 'ID', request_id: 'REQ', seq: 0, rev: 0 }, {
      id: 'ID',
      seq: 0,
      rev: 0,
      channel: 'SMS',
      source: 'inform',
      source_id: DEMO_ALERT.alert_id,
      user_id: 'ann',
      recipient: '+15550001',
      platform: null,
      subject: null,
      body: 'Hi ann, order  arrives soon.',
      payload: {
        alert_reference_name: 'Demo_ID',
        sender: { name: 'SHOP' },
        personalized_attributes: { firstname: 'ann' },
      },
      template: `${DEMO_ALERT.alert_id}/SMS`,
      template_version: 1,
      transaction_id: 'T1',
      request_id: 'REQ',
      status: 'recorded',
      reason: null,
      attempts: 0,
      created_at: new Date(START_TIME).toISOString(),
      due_at: null,
      updated_at: new Date(START_TIME).toISOString(),
      erased_by_gdpr_request: null,
    })
    const users = (q: string) =>
      list(app, q).then((r) => r.json<Page>().messages.map((m) => m.transaction_id))
    assert.deepEqual(await users('?user_id=ann'), ['T3', 'T1', 'T1'])
    assert.deepEqual(await users('?channel=EMAIL'), ['T1'])
    assert.deepEqual(await users('?status=suppressed'), [])
    const alert = DEMO_ALERT.alert_id
    assert.deepEqual(await users(`?source=inform&source_id=${alert}`), ['T3', 'T2', 'T1', 'T1'])
    assert.deepEqual(await users(`?source=push&source_id=${alert}`), [])
    assert.deepEqual(await users('?source_id=another-alert'), [])
    assert.deepEqual(await users(`?since=${new Date(START_TIME + 1_000).toISOString()}`), [
      'T3',
      'T2',
    ])
    assert.deepEqual(await users(`?until=${START_TIME + 1_000}`), ['T1', 'T1'])
    const first2 = (await list(app, '?limit=2')).json<Page>()
    assert.equal(first2.messages.length, 2)
    assert.ok(first2.next_cursor !== null)
    const rest = (await list(app, `?limit=2&cursor=${first2.next_cursor}`)).json<Page>()
    assert.deepEqual(
      [...first2.messages, ...rest.messages].map((m) => m.seq),
      page.messages.map((m) => m.seq),
    )
    assert.equal(rest.next_cursor, null)
  })

  it('answers 400 naming a bad parameter, and 401 without the Data key', async (t) => {
    const app = await informApp(t)
    for (const [query, attribute] of [
      ['?channel=FAX', 'channel'],
      ['?status=lost', 'status'],
      ['?since=yesterday', 'since'],
      ['?until=2026-13-45', 'until'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?cursor=bm9wZQ', 'cursor'],
    ] as const) {
      const res = await list(app, query)
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`)
      assert.equal(res.json<{ error: { attribute: string } }>().error.attribute, attribute)
    }
    const tail = await app.app.inject({
      method: 'GET',
      url: '/inlet/v1/outbox/tail?after=x',
      headers: { authorization: app.headers['authorization'] ?? '' },
    })
    assert.equal(tail.statusCode, 400)
    assert.equal((await list(app, '', INFORM_AUTH)).statusCode, 401, 'the Inform key is not enough')
    assert.equal((await list(app, '', '')).statusCode, 401)
  })
})

describe('GET /inlet/v1/outbox/tail', () => {
  it('streams each message as it is recorded, from now, from after= and from Last-Event-ID', async (t) => {
    const app = await informApp(t)
    await sendTo(app, 'early', 1)
    const address = await app.app.listen({ port: 0, host: '127.0.0.1' })
    const open = async (query: string, headers: Record<string, string> = {}) => {
      const controller = new AbortController()
      t.after(() => controller.abort())
      const res = await fetch(`${address}/inlet/v1/outbox/tail${query}`, {
        headers: { authorization: app.headers['authorization'] ?? '', ...headers },
        signal: controller.signal,
      })
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/)
      const reader = (res.body as ReadableStream<Uint8Array>).getReader()
      let text = ''
      /** Reads until `n` message events have arrived; their views. */
      return async (n: number): Promise<OutboxMessageView[]> => {
        while (events(text).length < n) {
          const chunk = await reader.read()
          if (chunk.done) throw new Error('the stream ended')
          text += Buffer.from(chunk.value).toString('utf8')
        }
        return events(text)
      }
    }
    const fromNow = await open('?user_id=ann')
    const everything = await open('?after=0')
    await sendTo(app, 'bob', 2)
    await sendTo(app, 'ann', 3, true)
    const ann = await fromNow(2)
    assert.deepEqual(
      ann.map((m) => [m.user_id, m.channel, m.transaction_id]),
      [
        ['ann', 'SMS', 'T3'],
        ['ann', 'EMAIL', 'T3'],
      ],
    )
    const all = await everything(4)
    assert.deepEqual(
      all.map((m) => m.transaction_id),
      ['T1', 'T2', 'T3', 'T3'],
    )
    const resumed = await open('', { 'last-event-id': String(all[1]?.rev) })
    assert.deepEqual(
      (await resumed(2)).map((m) => m.transaction_id),
      ['T3', 'T3'],
    )
  })
})
