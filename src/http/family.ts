/**
 * API families as the HTTP platform runs them. A family (src/families/<name>/) owns its routes,
 * body validation, catalogue entries, envelope and quotas; the platform hands it what every family
 * shares — the store, ingest, governance, the gateway's workspace cache and failed-auth limiter,
 * load shedding — and registers it in its own Fastify scope. The composition root (server/app.ts)
 * lists the families, one line each.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import type { Clock } from '../core/clock.js'
import type { Config } from '../core/config.js'
import type { ApiFamilyName } from '../core/catalogue/types.js'
import type { IdGenerator } from '../core/ids.js'
import type { Logger } from '../core/log.js'
import type { Governance } from '../governance/governance.js'
import type { Ingest } from '../ingest/accept.js'
import type { Processor } from '../processor/processor.js'
import type { Store } from '../store/store.js'
import type { SecretBox } from '../workspaces/secret-box.js'
import type { AuthDeps } from './auth-hooks.js'
import type { AuthFailureLimiter } from './auth-failures.js'
import type { Envelopes } from './error-handler.js'
import type { Envelope } from './envelopes.js'
import type { WorkspaceCache } from './gateway.js'
import type { LoadShedder } from './load-shedding.js'
import type { RawRoute } from './raw-routes.js'
import type { RefusalCounter } from './refusals.js'

/** What the platform gives every family. */
export type Platform = Readonly<{
  config: Config
  store: Store
  ingest: Ingest
  processor: Processor
  clock: Clock
  ids: IdGenerator
  log: Logger
  /** Quotas and fair usage (governance/governance.ts). */
  governance: Governance
  /** The gateway's workspace cache, shared by every family's gateway. */
  cache: WorkspaceCache
  /** Blocks addresses after repeated failed authentications, across families. */
  authFailures: AuthFailureLimiter
  /** Refused records per workspace, minute and API, written to the store each second (refusals.ts). */
  refusals: RefusalCounter
  /** Seals and opens the feature keys request signatures need (workspaces/secret-box.ts). */
  secrets: SecretBox
  /** Load shedding: an onRequest hook that answers 503 `overloaded` (http/load-shedding.ts). */
  shed: onRequestHookHandler
  /** The shedder behind `shed`, for a raw route (http/raw-routes.ts), which has no hooks. */
  shedder: LoadShedder
  /** True once shutdown has begun: new requests get 503. */
  isClosing: () => boolean
}>

export type ApiFamily = Readonly<{
  name: ApiFamilyName
  /** The family's error envelope (http/envelopes.ts): how its catalogue entries reach the wire. */
  envelope: Envelope
  /** Registers the family's routes on `app` (each in the scopes it needs). */
  register(app: FastifyInstance): Promise<void>
  /**
   * Requests the family answers from node:http ahead of Fastify (http/raw-routes.ts), with the
   * same answers its Fastify routes give.
   */
  raw?: RawRoute
}>

/** A family's module: given the platform, the family, or undefined when it is off. */
export type FamilyModule = (platform: Platform) => ApiFamily | undefined

/** What a family's gateway (http/auth.ts installAuth) needs of the platform. */
export function authDepsOf(platform: Platform): AuthDeps {
  const { store, isClosing, clock, cache, authFailures, log } = platform
  return { store, isClosing, clock, cache, authFailures, log }
}

/** Each family's envelope, for the one error handler. */
export function envelopesOf(families: readonly ApiFamily[]): Envelopes {
  const names = families.map((f) => f.name)
  const twice = names.find((name, i) => names.indexOf(name) !== i)
  if (twice !== undefined) throw new Error(`API family '${twice}' is registered twice`)
  return Object.fromEntries(families.map((f) => [f.name, f.envelope]))
}
