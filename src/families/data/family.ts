/**
 * The Data API family (moengage-data-api.md): Track User, Create Event, Track Device, Bulk Import,
 * Get User, Merge, Delete, Device opt-out, GDPR, Test connection and Install info, with Inlet's
 * extensions for the same key (`/inlet/v1/requests`, `/inlet/v1/gdpr`, merge undo). Envelope E1
 * (spec §4.2), the catalogue's `data` entries, the quotas of spec §5.1 and the `x-ratelimit` header convention of
 * §5.2 (quotas.ts).
 */
import type { FastifyInstance } from 'fastify'
import { dataEnvelope } from '../../http/envelopes.js'
import { authDepsOf, type ApiFamily, type FamilyModule } from '../../http/family.js'
import { DATA_AUTH, INLET_AUTH } from '../../http/auth.js'
import { installAuth } from '../../http/auth-hooks.js'
import { installRateLimitHeaders } from '../../http/rate-limit-headers.js'
import { countRefusals } from '../../http/refusals.js'
import { deleteRoutes } from './routes/deletes.js'
import { exportRoutes } from './routes/export.js'
import { gdprRoutes, gdprStatusRoutes } from './routes/gdpr.js'
import { ingestRoutes } from './routes/ingest.js'
import { createRawIngest } from './raw-ingest.js'
import { installInfoRoutes } from './routes/install-info.js'
import { mergeRoutes, mergeUndoRoutes } from './routes/merges.js'
import { optOutRoutes } from './routes/opt-out.js'
import { DATA_RATE_LIMIT_HEADERS, recordsOfBody } from './quotas.js'
import { requestRoutes } from './routes/requests.js'
import { testConnectionRoutes } from './routes/test-connection.js'

export const dataFamily: FamilyModule = (platform): ApiFamily => {
  const { store, ingest, config, governance, clock, authFailures, shed, isClosing } = platform
  const authDeps = authDepsOf(platform)
  return {
    name: 'data',
    envelope: dataEnvelope,
    // Track User, Create Event and Track Device of the common shape, ahead of Fastify: the same
    // checks and answers as the routes below, without Fastify's lifecycle (raw-ingest.ts).
    ...(config.rawIngest
      ? {
          raw: createRawIngest({
            config,
            ids: platform.ids,
            log: platform.log,
            gateway: authDeps,
            authFailures,
            shedder: platform.shedder,
            refusals: platform.refusals,
            ingest,
            governance,
          }),
        }
      : {}),
    register: async (app: FastifyInstance) => {
      // Every refused request of an authenticated workspace counts its records for the
      // dashboard's workspace page (the accepted ones are counted by the log's appends).
      // (Install info, whose route names no endpoint, under Inlet's extensions, as it logs.)
      countRefusals(app, platform.refusals, {
        family: 'data',
        unnamed: 'inlet',
        recordsOf: recordsOfBody,
      })
      // spec §7.11: credentials in the body, not Basic auth.
      testConnectionRoutes(app, { store, clock, authFailures, shed })
      // spec §2.1: no Basic auth; authenticated by its appAttributionKey query parameter.
      installInfoRoutes(app, { store, ingest, isClosing, authFailures, shed })
      // The gateway of spec §4.5 (Basic with the Data key, optional MOE-APPKEY, the workspace in
      // the path or query) in front of every Data API route; shedding before anything else.
      await app.register((api, _opts, done) => {
        api.addHook('onRequest', shed)
        installAuth(api, authDeps, DATA_AUTH)
        installRateLimitHeaders(api, DATA_RATE_LIMIT_HEADERS)
        ingestRoutes(app, api, {
          ingest,
          config,
          governance,
          logged: async (workspaceId, requestId) =>
            (await store.log.recordsOfRequest(workspaceId, requestId)).length > 0,
        })
        exportRoutes(app, api, { store, config, governance })
        deleteRoutes(app, api, { ingest, config, store, governance, clock })
        optOutRoutes(app, api, { ingest, config, governance })
        mergeRoutes(app, api, { ingest, config, store, governance })
        gdprRoutes(app, api, { ingest, config })
        done()
      })
      // Inlet's extensions: the Basic-auth user names the workspace, no body required.
      await app.register((api, _opts, done) => {
        api.addHook('onRequest', shed)
        installAuth(api, authDeps, INLET_AUTH)
        requestRoutes(api, { store })
        gdprStatusRoutes(api, { store })
        mergeUndoRoutes(api, { ingest, config, store })
        done()
      })
    },
  }
}
