/**
 * What the walks of the families with Basic auth and a required `MOE-APPKEY` share (consent,
 * segments): workspace A's credentials, requests made with them, the check that an answer leaks
 * none of B's strings, and the two attacks that name B as the workspace with A's key — B as
 * `MOE-APPKEY`, and B as the Basic user.
 */
import assert from 'node:assert/strict'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { answeredWithout, assertLeaksNone, type Attack, type Method } from './walk.js'
import { basicAuth } from '../helpers/app.js'

export type { Attack, Method } from './walk.js'

export type AppKeyTargets = Readonly<{
  a: string
  aKey: string
  b: string
  /** Strings only B's data holds. */
  secrets: readonly string[]
}>

export function appKeyWalk(t: AppKeyTargets) {
  const asA = {
    authorization: basicAuth(t.a, t.aKey),
    'content-type': 'application/json',
    'moe-appkey': t.a,
  }
  const leaksNothing = (res: LightMyRequestResponse): void => {
    assert.ok(res.statusCode < 500, res.body)
    assertLeaksNone(res, t.secrets)
  }
  /** The answer has one of `statuses` and leaks nothing. */
  const answered = answeredWithout(t.secrets)
  const request = (
    method: Method,
    url: string,
    body: unknown,
    headers: Record<string, string> = asA,
  ): InjectOptions => ({
    method,
    url,
    headers,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })
  /** B named as the workspace with A's key: the MOE-APPKEY (`appKeyStatuses`), the Basic user. */
  const aimedAtB = (
    method: Method,
    url: string,
    body: unknown,
    appKeyStatuses: readonly number[],
  ): Attack[] => [
    {
      name: 'MOE-APPKEY B with A key',
      request: request(method, url, body, { ...asA, 'moe-appkey': t.b }),
      expect: answered(...appKeyStatuses),
    },
    {
      name: 'B as the Basic user with A key',
      request: request(method, url, body, {
        ...asA,
        authorization: basicAuth(t.b, t.aKey),
        'moe-appkey': t.b,
      }),
      expect: answered(401),
    },
  ]
  return { asA, leaksNothing, answered, request, aimedAtB }
}
