/**
 * What every family's part of the isolation walk (isolation.test.ts, the `*-walk.ts` files)
 * speaks: a request tried against another workspace with what its answer must show, and the
 * methods a path is tried with, and the checks that an answer leaks nothing of the other workspace.
 */
import assert from 'node:assert/strict'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'

export type Method = NonNullable<InjectOptions['method']>

/** One request of the walk, named, and the check of its answer. */
export type Attack = Readonly<{
  name: string
  request: InjectOptions
  expect: (res: LightMyRequestResponse) => void
}>

/** Fails when the answer holds any of `secrets`: strings only the other workspace's data holds. */
export function assertLeaksNone(res: LightMyRequestResponse, secrets: Iterable<string>): void {
  for (const secret of secrets) {
    assert.ok(!res.body.includes(secret), `answer leaks ${secret}: ${res.body}`)
  }
}

/** The check of an answer that has one of `statuses` and holds none of `secrets`. */
export const answeredWithout =
  (secrets: Iterable<string>) =>
  (...statuses: number[]) =>
  (res: LightMyRequestResponse): void => {
    assert.ok(statuses.includes(res.statusCode), `${res.statusCode} ${res.body}`)
    assertLeaksNone(res, secrets)
  }
