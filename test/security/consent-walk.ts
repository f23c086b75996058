/**
 * The consent family's part of the isolation walk (isolation.test.ts): each of its routes tried
 * with workspace A's key against workspace B — B as `MOE-APPKEY`, B as the Basic user with A's
 * key, and A's own credentials with B's link tokens, B's customer ids and B's email — and none of
 * it answers or changes anything of B; every other method answers 405. The admin API's consent
 * routes are walked with the admin API's other routes.
 */
import { CATEGORIES, OPT_IN, RESUBSCRIBE } from '../helpers/consent.js'
import { appKeyWalk, type AppKeyTargets, type Attack, type Method } from './app-key-walk.js'

export type ConsentAttack = Attack

export type ConsentTargets = AppKeyTargets &
  Readonly<{
    /** A link of B's user (tokens issued for workspace B). */
    bLink: Readonly<{ user_id: string; cid: string }>
  }>

/** The consent routes' attacks, by `METHOD path` as the route table names them. */
export function consentAttacks(t: ConsentTargets): Map<string, ConsentAttack[]> {
  const { asA, answered: refused, request, aimedAtB: aimed } = appKeyWalk(t)
  const aimedAtB = (method: Method, url: string, body: unknown) =>
    aimed(method, url, body, [400, 401])
  const page = `${CATEGORIES}?user_id=${encodeURIComponent(t.bLink.user_id)}&cid=${encodeURIComponent(t.bLink.cid)}`
  const walked = new Map<string, ConsentAttack[]>()
  const update = { categories: { 'B Secret Category': false }, unsubscribe_all: true }
  walked.set(`GET ${CATEGORIES}`, [
    ...aimedAtB('GET', page, undefined),
    {
      name: "B's link tokens under A",
      request: request('GET', page, undefined, {
        authorization: asA.authorization,
        'moe-appkey': t.a,
      }),
      expect: refused(400),
    },
  ])
  walked.set(`PUT ${CATEGORIES}`, [
    ...aimedAtB('PUT', page, update),
    {
      name: "B's link tokens under A",
      request: request('PUT', page, update),
      expect: refused(400),
    },
  ])
  const bulk = {
    channel: 'email',
    user_preferences: [{ customer_id: 'b-user', categories: {}, unsubscribe_all: true }],
  }
  walked.set(`POST ${CATEGORIES}`, [
    ...aimedAtB('POST', CATEGORIES, bulk),
    {
      name: "B's customer id under A",
      request: request('POST', CATEGORIES, bulk),
      expect: refused(400),
    },
  ])
  const optIn = {
    user_preferences: { email_id: 'b@example.com', opt_in_status: 'OPTED_OUT', channel: 'email' },
  }
  walked.set(`PUT ${OPT_IN}`, [
    ...aimedAtB('PUT', OPT_IN, optIn),
    { name: "B's email under A", request: request('PUT', OPT_IN, optIn), expect: refused(400) },
  ])
  const resubscribe = { recipients: ['b@example.com'], esp: 'SENDGRID', request_id: 'r' }
  walked.set(`POST ${RESUBSCRIBE}`, [
    ...aimedAtB('POST', RESUBSCRIBE, resubscribe),
    // A has no user with B's email: accepted, and nothing of B is touched (the snapshot).
    {
      name: "B's email under A",
      request: request('POST', RESUBSCRIBE, resubscribe),
      expect: refused(202),
    },
  ])
  const others: [string, readonly Method[]][] = [
    [CATEGORIES, ['DELETE', 'OPTIONS', 'PATCH']],
    [OPT_IN, ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST']],
    [RESUBSCRIBE, ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'PUT']],
  ]
  for (const [url, methods] of others) {
    for (const method of methods) {
      walked.set(`${method} ${url}`, [
        {
          name: `${method} with A key and MOE-APPKEY B`,
          request: request(method, url, undefined, {
            ...asA,
            'moe-appkey': t.b,
          }),
          expect: refused(405),
        },
      ])
    }
  }
  return walked
}
