/**
 * The Cards family's part of the isolation walk (isolation.test.ts): fetch, delete and Inlet's
 * activity tried with workspace A's reports key against workspace B — B as `MOE-APPKEY`, B as the
 * Basic user with A's key, and A's own credentials naming B's user and B's campaign; none of it
 * answers or changes anything of B, and every other method of the paths answers 405. The admin
 * API's card-campaign routes are walked with the admin API's other routes.
 */
import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import { answeredWithout, type Attack, type Method } from './walk.js'
import { basicAuth } from '../helpers/app.js'

export type CardsAttack = Attack

export type CardsTargets = Readonly<{
  a: string
  aReportsKey: string
  b: string
  /** B's user (its customer id) and the card campaign B sent it. */
  bCustomerId: string
  bCampaignId: string
  /** Strings only B's data holds. */
  secrets: readonly string[]
}>

const ROUTES = [
  ['/v1/cards/fetch', 'POST'],
  ['/v1/cards/delete', 'DELETE'],
  ['/inlet/v1/cards/activity', 'POST'],
] as const

export function cardsAttacks(t: CardsTargets): Map<string, CardsAttack[]> {
  const asA = {
    authorization: basicAuth(t.a, t.aReportsKey),
    'content-type': 'application/json',
    'moe-appkey': t.a,
  }
  const answered = answeredWithout(t.secrets)
  const refused =
    (...statuses: number[]) =>
    (res: LightMyRequestResponse): void => {
      answered(...statuses)(res)
      if (res.statusCode === 200) {
        // A's own user of that name: A's inbox, which holds nothing of B's campaign.
        const data = res.json<{ data?: { cards?: unknown[] } }>().data
        assert.deepEqual(data?.cards ?? [], [], res.body)
      }
    }
  const body = JSON.stringify({
    uid: t.bCustomerId,
    campaign_ids: [t.bCampaignId],
    card_id: `${t.bCampaignId}_android`,
    clicked: true,
  })
  const walked = new Map<string, CardsAttack[]>()
  for (const [url, method] of ROUTES) {
    const attempt = (name: string, headers: Record<string, string>, ...statuses: number[]) => ({
      name,
      request: { method, url, headers, payload: body },
      expect: refused(...statuses),
    })
    walked.set(`${method} ${url}`, [
      attempt('MOE-APPKEY B with A key', { ...asA, 'moe-appkey': t.b }, 401),
      attempt(
        'B as the Basic user with A key',
        { ...asA, authorization: basicAuth(t.b, t.aReportsKey), 'moe-appkey': t.b },
        401,
      ),
      // A's credentials naming B's user and campaign: A's user of that name, or none.
      attempt("B's user and campaign under A", asA, 200, 400),
    ])
    const others = (['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const).filter(
      (m) => m !== method,
    ) satisfies Method[]
    for (const other of others) {
      walked.set(`${other} ${url}`, [
        {
          name: `${other} with A key and MOE-APPKEY B`,
          request: { method: other, url, headers: { ...asA, 'moe-appkey': t.b } },
          expect: refused(405),
        },
      ])
    }
  }
  return walked
}
