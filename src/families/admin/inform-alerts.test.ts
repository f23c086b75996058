// The admin API's Inform alert routes: alerts created with generated or given ids, replaced as a
// new version, listed, read, removed; definitions checked (templates compiled, names unique).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { admin, adminApp } from '../../../test/helpers/admin.js'
import { ADMIN_BASE, DEMO_ALERT } from '../../../test/helpers/inform.js'

const ALERTS = `${ADMIN_BASE}/inform-alerts`

type View = {
  alert_id: string
  test_alert_id: string
  reference_name: string
  version: number
  channels: Record<string, { enabled: boolean; body?: string }>
}

describe('admin API: Inform alerts', () => {
  it('creates, replaces as a new version, lists, reads and removes alerts', async (t) => {
    const app = await adminApp(t)
    const created = await admin(app, 'POST', ALERTS, DEMO_ALERT)
    assert.equal(created.statusCode, 200, created.body)
    const view = created.json<{ alert: View }>().alert
    assert.equal(view.alert_id, DEMO_ALERT.alert_id)
    assert.equal(view.version, 1)
    assert.equal(view.channels['SMS']?.enabled, true)
    app.clock.advance(1_000)
    const generated = await admin(app, 'POST', ALERTS, {
      reference_name: 'OTP',
      channels: { SMS: { body: 'Your code is {{code}}' } },
    })
    const otp = generated.json<{ alert: View }>().alert
    assert.match(otp.alert_id, /^[0-9a-f]{24}$/)
    assert.match(otp.test_alert_id, /^[0-9a-f]{24}$/)
    assert.notEqual(otp.alert_id, otp.test_alert_id)
    const replaced = await admin(app, 'POST', ALERTS, {
      alert_id: otp.alert_id,
      reference_name: 'OTP v2',
      channels: { SMS: { body: 'Code: {{code}}', enabled: false } },
    })
    const v2 = replaced.json<{ alert: View }>().alert
    assert.deepEqual(
      [v2.version, v2.test_alert_id, v2.reference_name, v2.channels['SMS']?.enabled],
      [2, otp.test_alert_id, 'OTP v2', false],
    )
    const listed = await admin(app, 'GET', ALERTS)
    assert.deepEqual(
      listed.json<{ alerts: View[] }>().alerts.map((a) => a.reference_name),
      ['Demo_ID', 'OTP v2'],
    )
    const one = await admin(app, 'GET', `${ALERTS}/${otp.alert_id}`)
    assert.equal(one.json<{ alert: View }>().alert.channels['SMS']?.body, 'Code: {{code}}')
    const missing = await admin(app, 'GET', `${ALERTS}/nope`)
    assert.equal(missing.statusCode, 404)
    assert.equal(missing.json<{ error: { attribute: string } }>().error.attribute, 'alert_id')
    const removed = await admin(app, 'POST', `${ALERTS}/remove`, { alert_id: otp.alert_id })
    assert.deepEqual(removed.json(), { status: 'success', removed: true })
    const again = await admin(app, 'POST', `${ALERTS}/remove`, { alert_id: otp.alert_id })
    assert.deepEqual(again.json(), { status: 'success', removed: false })
  })

  it('refuses definitions that are not whole, with the field at fault', async (t) => {
    const app = await adminApp(t)
    await admin(app, 'POST', ALERTS, DEMO_ALERT)
    const cases: [unknown, string][] = [
      [{ channels: { SMS: { body: 'x' } } }, 'reference_name'],
      [{ reference_name: 'A' }, 'channels'],
      [{ reference_name: 'A', channels: {} }, 'channels'],
      [{ reference_name: 'A', channels: { FAX: {} } }, 'channels.FAX'],
      [{ reference_name: 'A', channels: { SMS: {} } }, 'channels.SMS.body'],
      [{ reference_name: 'A', channels: { SMS: { body: 'Hi {{ name' } } }, 'channels.SMS.body'],
      [{ reference_name: 'A', channels: { EMAIL: { body: 'x' } } }, 'channels.EMAIL.subject'],
      [{ reference_name: 'A', channels: { PUSH: { title: 't' } } }, 'channels.PUSH.message'],
      [
        { reference_name: 'A', channels: { SMS: { body: 'x', subject: 's' } } },
        'channels.SMS.subject',
      ],
      [
        { reference_name: 'A', channels: { SMS: { body: 'x', enabled: 'yes' } } },
        'channels.SMS.enabled',
      ],
      [
        { reference_name: 'A', channels: { SMS: { body: 'x', senders: [{ address: 'a' }] } } },
        'channels.SMS.senders[0].name',
      ],
      [
        { reference_name: 'A', alert_id: 'has space', channels: { SMS: { body: 'x' } } },
        'alert_id',
      ],
      [{ reference_name: 'A', colour: 'red', channels: { SMS: { body: 'x' } } }, 'colour'],
      [{ reference_name: 'Demo_ID', channels: { SMS: { body: 'x' } } }, 'reference_name'],
      [
        {
          reference_name: 'B',
          test_alert_id: DEMO_ALERT.alert_id,
          channels: { SMS: { body: 'x' } },
        },
        'test_alert_id',
      ],
      [
        {
          reference_name: 'B',
          alert_id: DEMO_ALERT.test_alert_id,
          channels: { SMS: { body: 'x' } },
        },
        'alert_id',
      ],
    ]
    for (const [body, attribute] of cases) {
      const res = await admin(app, 'POST', ALERTS, body)
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
      assert.equal(res.json<{ error: { attribute: string } }>().error.attribute, attribute)
    }
    const listed = await admin(app, 'GET', ALERTS)
    assert.equal(listed.json<{ alerts: View[] }>().alerts.length, 1, 'nothing else was stored')
  })

  it('answers 404 for an unknown workspace and 401 without the token', async (t) => {
    const app = await adminApp(t)
    const unknown = await admin(app, 'GET', '/inlet/v1/admin/workspaces/NOPE/inform-alerts')
    assert.equal(unknown.statusCode, 404)
    const anonymous = await admin(app, 'GET', ALERTS, undefined, {})
    assert.equal(anonymous.statusCode, 401)
  })
})
