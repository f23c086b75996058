/**
 * The File Imports family's part of the isolation walk (isolation.test.ts): trigger, status and
 * run history tried with workspace A's Data key against workspace B — B as `MOE-APPKEY`, B as the
 * Basic user with A's key, and A's own credentials naming B's import by id and by name; none of it
 * answers anything of B or queues a run of B's import, every other method of the paths answers
 * 405, and any other path under the prefixes 404. The admin API's file-import routes are walked with the admin API's other routes.
 */
import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import { answeredWithout, assertLeaksNone, type Attack, type Method } from './walk.js'
import { basicAuth } from '../helpers/app.js'

export type FileImportAttack = Attack

export type FileImportTargets = Readonly<{
  a: string
  aKey: string
  b: string
  /** B's import. */
  bImportId: string
  bImportName: string
  /** Strings only B's data holds. */
  secrets: readonly string[]
}>

export function fileImportAttacks(t: FileImportTargets): Map<string, FileImportAttack[]> {
  const asA = {
    authorization: basicAuth(t.a, t.aKey),
    'content-type': 'application/json',
    'moe-appkey': t.a,
  }
  const refused = answeredWithout(t.secrets)
  /** A's own answer: 200 and empty (A has no import). */
  const empty = (res: LightMyRequestResponse): void => {
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.json<{ total_count: number }>().total_count, 0, res.body)
    assertLeaksNone(res, t.secrets)
  }
  const walked = new Map<string, FileImportAttack[]>()
  for (const prefix of ['/v1.0/data/fileimports', '/v1/fileimports']) {
    const paths: [
      route: string,
      url: string,
      body: string | undefined,
      own: FileImportAttack['expect'],
    ][] = [
      [
        `${prefix}/trigger/:schedule_id`,
        `${prefix}/trigger/${t.bImportId}`,
        undefined,
        refused(400),
      ],
      [
        `${prefix}/import/status`,
        `${prefix}/import/status`,
        JSON.stringify({ import_name: t.bImportName }),
        empty,
      ],
      [
        `${prefix}/import/run/history`,
        `${prefix}/import/run/history`,
        JSON.stringify({ import_id: t.bImportId }),
        refused(400),
      ],
    ]
    for (const [route, url, payload, own] of paths) {
      const post = (
        name: string,
        headers: Record<string, string>,
        expect: FileImportAttack['expect'],
      ) => ({
        name,
        request: {
          method: 'POST' as const,
          url,
          headers,
          ...(payload === undefined ? {} : { payload }),
        },
        expect,
      })
      walked.set(`POST ${route}`, [
        post('MOE-APPKEY B with A key', { ...asA, 'moe-appkey': t.b }, refused(401)),
        post(
          'B as the Basic user with A key',
          { ...asA, authorization: basicAuth(t.b, t.aKey), 'moe-appkey': t.b },
          refused(401),
        ),
        post("B's import under A's credentials", asA, own),
      ])
      for (const method of [
        'DELETE',
        'GET',
        'OPTIONS',
        'PATCH',
        'PUT',
      ] as const satisfies Method[]) {
        walked.set(`${method} ${route}`, [
          {
            name: `${method} with A key and MOE-APPKEY B`,
            request: { method, url, headers: { ...asA, 'moe-appkey': t.b } },
            expect: refused(405),
          },
        ])
      }
    }
    // Another path under the prefix: the pages' 404, whatever the credentials.
    for (const [route, url] of [
      [`${prefix}/:other`, `${prefix}/${t.bImportId}`],
      [`${prefix}/import/:other`, `${prefix}/import/${t.bImportId}`],
      [`${prefix}/import/run/:other`, `${prefix}/import/run/${t.bImportId}`],
    ] as const) {
      for (const method of [
        'DELETE',
        'GET',
        'OPTIONS',
        'PATCH',
        'POST',
        'PUT',
      ] as const satisfies Method[]) {
        walked.set(`${method} ${route}`, [
          {
            name: `${method} another path with A key and MOE-APPKEY B`,
            request: { method, url, headers: { ...asA, 'moe-appkey': t.b } },
            expect: refused(404),
          },
        ])
      }
    }
  }
  return walked
}
