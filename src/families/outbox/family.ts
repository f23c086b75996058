/**
 * The outbox family (Inlet's own, issue 21): `GET /inlet/v1/outbox` and its server-sent-events
 * tail (routes.ts) over the store's outbox, which the sending families (families/inform) write.
 * Authenticated like Inlet's other extensions (http/auth.ts INLET_AUTH: the Basic user names the
 * workspace, the password is its Data key); failures in the Data API's envelope (E1) with the
 * catalogue's `outbox_*` entries. Open tails end when the server closes.
 */
import type { FastifyInstance } from 'fastify'
import { INLET_AUTH } from '../../http/auth.js'
import { installAuth } from '../../http/auth-hooks.js'
import { dataEnvelope } from '../../http/envelopes.js'
import type { ApiFamily, FamilyModule } from '../../http/family.js'
import { outboxRoutes } from './routes.js'

export const outboxFamily: FamilyModule = (platform): ApiFamily => {
  const { store, clock, cache, authFailures, shed, isClosing } = platform
  return {
    name: 'outbox',
    envelope: dataEnvelope,
    register: async (app: FastifyInstance) => {
      await app.register((api, _opts, done) => {
        api.addHook('onRequest', shed)
        installAuth(api, { store, isClosing, clock, cache, authFailures }, INLET_AUTH)
        const streams = outboxRoutes(api, { store })
        api.addHook('preClose', (next) => {
          streams.closeAll()
          next()
        })
        done()
      })
    },
  }
}
