/**
 * The Live Activities family's part of the isolation walk (isolation.test.ts): start, update and
 * end tried with workspace A's Push key against workspace B — B as `X-MOE-APPKEY`, B as the Basic
 * user with A's key, and A's own credentials naming B's campaign and B's instance; none of it
 * answers or changes anything of B, and every other method of the paths answers 405. The admin
 * API's live-activity routes are walked with the admin API's other routes.
 */
import { answeredWithout, type Attack, type Method } from './walk.js'
import { basicAuth } from '../helpers/app.js'

export type LiveActivityAttack = Attack

export type LiveActivityTargets = Readonly<{
  a: string
  aPushKey: string
  b: string
  /** B's campaign and one instance of it. */
  bCampaignId: string
  bInstanceId: string
  /** Strings only B's data holds. */
  secrets: readonly string[]
}>

export function liveActivityAttacks(t: LiveActivityTargets): Map<string, LiveActivityAttack[]> {
  const asA = {
    authorization: basicAuth(t.a, t.aPushKey),
    'content-type': 'application/json',
    'x-moe-appkey': t.a,
  }
  const refused = answeredWithout(t.secrets)
  const ios = (action: string) => ({
    ...(action === 'start'
      ? { attribute_type: 'LiveActivityAttributes', attribute_info: { match: 'A vs B' } }
      : {}),
    content_state: { score: 'walk' },
    alert: { title: 'walk', body: `walk ${action}` },
  })
  const walked = new Map<string, LiveActivityAttack[]>()
  for (const action of ['start', 'update', 'end'] as const) {
    const url = `/v1.0/live-activity/broadcast/${action}`
    const body = JSON.stringify({
      broadcast_live_activity_id: t.bCampaignId,
      instance_id: action === 'start' ? 'walk-instance' : t.bInstanceId,
      ios: ios(action),
    })
    const post = (name: string, headers: Record<string, string>, status: number) => ({
      name,
      request: { method: 'POST' as const, url, headers, payload: body },
      expect: refused(status),
    })
    walked.set(`POST ${url}`, [
      post('X-MOE-APPKEY B with A key', { ...asA, 'x-moe-appkey': t.b }, 401),
      post(
        'B as the Basic user with A key',
        { ...asA, authorization: basicAuth(t.b, t.aPushKey), 'x-moe-appkey': t.b },
        401,
      ),
      post("B's campaign and instance under A", asA, 403),
    ])
    for (const method of ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'PUT'] as const satisfies Method[]) {
      walked.set(`${method} ${url}`, [
        {
          name: `${method} with A key and X-MOE-APPKEY B`,
          request: { method, url, headers: { ...asA, 'x-moe-appkey': t.b } },
          expect: refused(405),
        },
      ])
    }
  }
  return walked
}
