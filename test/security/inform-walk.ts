/**
 * The Inform and outbox families' part of the isolation walk (isolation.test.ts): the send routes
 * tried with workspace A's Inform key against workspace B — B as `MOE-APPKEY`, B as the Basic
 * user with A's key, and A's own credentials with B's alert ids and reference name — and the
 * outbox routes with A's Data key naming B; Message Archival with A's Data key naming B, and with
 * A's own credentials and the details of B's message; none of it answers or changes anything of
 * B, and every other method of the send and archival paths answers 405. The admin API's alert routes are walked with the
 * admin API's other routes.
 */
import { answeredWithout, type Attack, type Method } from './walk.js'
import { basicAuth } from '../helpers/app.js'
import { SANDBOX_SEND, SEND } from '../helpers/inform.js'

export type InformAttack = Attack

export type InformTargets = Readonly<{
  a: string
  /** A's Data key and Inform key. */
  aKey: string
  aInformKey: string
  b: string
  /** B's alert: live and test ids, reference name. */
  bAlert: Readonly<{ alertId: string; testAlertId: string; referenceName: string }>
  /** B's message: its user, transaction id and the second it was sent. */
  bMessage: Readonly<{ userId: string; transactionId: string; sentSeconds: number }>
  /** Strings only B's data holds. */
  secrets: readonly string[]
}>

/** The Inform and outbox routes' attacks, by `METHOD path` as the route table names them. */
export function informAttacks(t: InformTargets): Map<string, InformAttack[]> {
  const asA = {
    authorization: basicAuth(t.a, t.aInformKey),
    'content-type': 'application/json',
    'moe-appkey': t.a,
  }
  const refused = answeredWithout(t.secrets)
  const body = (alert: Record<string, string>, n: string) =>
    JSON.stringify({
      ...alert,
      user_id: 'b-user',
      transaction_id: `walk-${n}`,
      payloads: { SMS: { recipient: '+15550009999' } },
    })
  const walked = new Map<string, InformAttack[]>()
  for (const url of [SEND, SANDBOX_SEND]) {
    const id = url === SEND ? t.bAlert.alertId : t.bAlert.testAlertId
    const post = (
      name: string,
      headers: Record<string, string>,
      payload: string,
      status: number,
    ) => ({
      name,
      request: { method: 'POST' as const, url, headers, payload },
      expect: refused(status),
    })
    walked.set(`POST ${url}`, [
      post(
        'MOE-APPKEY B with A key',
        { ...asA, 'moe-appkey': t.b },
        body({ alert_id: id }, '1'),
        401,
      ),
      post(
        'B as the Basic user with A key',
        { ...asA, authorization: basicAuth(t.b, t.aInformKey), 'moe-appkey': t.b },
        body({ alert_id: id }, '2'),
        401,
      ),
      post("B's alert id under A", asA, body({ alert_id: id }, '3'), 400),
      post(
        "B's reference name under A",
        asA,
        body({ alert_reference_name: t.bAlert.referenceName }, '4'),
        400,
      ),
    ])
    for (const method of ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'PUT'] as const satisfies Method[]) {
      walked.set(`${method} ${url}`, [
        {
          name: `${method} with A key and MOE-APPKEY B`,
          request: { method, url, headers: { ...asA, 'moe-appkey': t.b } },
          expect: refused(405),
        },
      ])
    }
  }
  const asAData = { authorization: basicAuth(t.a, t.aKey) }
  for (const url of ['/inlet/v1/outbox', '/inlet/v1/outbox/tail']) {
    walked.set(`GET ${url}`, [
      {
        name: 'B as the Basic user with A key',
        request: { method: 'GET', url, headers: { authorization: basicAuth(t.b, t.aKey) } },
        expect: refused(401),
      },
      {
        name: 'app_id B with A key',
        request: { method: 'GET', url: `${url}?app_id=${t.b}&after=x`, headers: asAData },
        expect: refused(409),
      },
    ])
  }
  const archival = JSON.stringify({
    user_id: t.bMessage.userId,
    delivery_type: 'API_TRIGGERED',
    campaign_type: 'Inform SMS',
    campaign_channel: 'SMS',
    sent_epoch_time: t.bMessage.sentSeconds,
    campaign_id: t.bAlert.alertId,
    event_name: 'SMS Sent',
    platform: 'SMS',
    event_id: t.bMessage.transactionId,
  })
  const asADataJson = { ...asAData, 'content-type': 'application/json', 'moe-appkey': t.a }
  const view = (name: string, headers: Record<string, string>, status: number): InformAttack => ({
    name,
    request: { method: 'POST', url: '/v1/archival/view', headers, payload: archival },
    expect: refused(status),
  })
  walked.set('POST /v1/archival/view', [
    view('MOE-APPKEY B with A key', { ...asADataJson, 'moe-appkey': t.b }, 401),
    view(
      'B as the Basic user with A key',
      { ...asADataJson, authorization: basicAuth(t.b, t.aKey), 'moe-appkey': t.b },
      401,
    ),
    view("B's message under A", asADataJson, 400),
  ])
  for (const method of ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'PUT'] as const satisfies Method[]) {
    walked.set(`${method} /v1/archival/view`, [
      {
        name: `${method} with A key and MOE-APPKEY B`,
        request: {
          method,
          url: '/v1/archival/view',
          headers: { ...asADataJson, 'moe-appkey': t.b },
        },
        expect: refused(405),
      },
    ])
  }
  return walked
}
