/**
 * What every family's part of the isolation walk (isolation.test.ts, the `*-walk.ts` files)
 * speaks: a request tried against another workspace with what its answer must show, and the
 * methods a path is tried with.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify'

export type Method = NonNullable<InjectOptions['method']>

/** One request of the walk, named, and the check of its answer. */
export type Attack = Readonly<{
  name: string
  request: InjectOptions
  expect: (res: LightMyRequestResponse) => void
}>
