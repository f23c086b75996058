/**
 * The File Imports family (spec §7.9; docs/imports.md, "File Imports"): `POST
 * /v1.0/data/fileimports/trigger/{schedule_id}` queues a run of a workspace's import (at most one
 * trigger per import per five minutes), `POST /v1.0/data/fileimports/import/status` answers the
 * imports with their latest state and counts, `POST /v1.0/data/fileimports/import/run/history`
 * the file runs of one import — each also under `/v1/fileimports/…`; any other path under the
 * prefixes is the pages' 404 (any other method of the three, their 405). The imports are defined
 * through the admin API and `inlet workspaces file-imports` (workspaces/file-imports.ts) and run
 * by the runner (runner.ts). Basic with the Data key and a required `MOE-APPKEY`
 * (http/auth.ts FILE_IMPORTS_AUTH); failures in the pages' shapes (http/envelopes.ts
 * fileImportsEnvelope) with the catalogue's `file_imports` strings; the quotas of quotas.ts.
 */
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../core/errors.js'
import { FILE_IMPORTS_AUTH, FILE_IMPORTS_TRIGGER_AUTH } from '../../http/auth.js'
import { fileImportsEnvelope } from '../../http/envelopes.js'
import type { ApiFamily, FamilyModule } from '../../http/family.js'
import {
  FAMILY_METHODS,
  familyRoute,
  guardedScope,
  otherMethodsRoute,
  platformGuard,
} from '../../http/family-route.js'
import type { RouteConfig } from '../../http/error-handler.js'
import { bodyOf } from '../../http/route.js'
import { fileImportDefinitionOf } from '../../workspaces/file-imports.js'
import { parseHistoryQuery, parseStatusQuery } from './bodies/queries.js'
import { FILE_IMPORT_QUOTAS } from './quotas.js'
import { newRuns } from './runs.js'
import { historyAnswer, statusAnswer } from './views.js'

/** spec §7.9: "You can trigger this API once in every five minutes for a specific schedule_id." */
export const TRIGGER_GAP_MS = 5 * 60_000

const PREFIXES = ['/v1.0/data/fileimports', '/v1/fileimports'] as const

export const fileImportsFamily: FamilyModule = (platform): ApiFamily => {
  const { store, clock, ids } = platform
  const quotas = platform.governance.scope(FILE_IMPORT_QUOTAS)
  const bodyLimitBytes = platform.config.bodyLimitBytes
  return {
    name: 'file_imports',
    envelope: fileImportsEnvelope,
    register: async (app: FastifyInstance) => {
      await guardedScope(app, platformGuard(platform, FILE_IMPORTS_TRIGGER_AUTH, 'none'), (api) => {
        for (const prefix of PREFIXES) {
          familyRoute(api, quotas, {
            family: 'file_imports',
            endpoint: 'file_imports',
            url: `${prefix}/trigger/:schedule_id`,
            method: 'POST',
            quota: 'file_imports_trigger',
            bodyLimitBytes,
            noBody: true,
            handler: async (request, workspace) => {
              const { schedule_id: importId } = request.params as { schedule_id: string } // route param
              const row = await store.fileImports.import(workspace.id, importId)
              if (row === undefined) throw new AppError('file_import_not_found')
              const now = clock.now()
              const runs = await newRuns(
                { workspaceId: workspace.id, importId, definition: fileImportDefinitionOf(row) },
                'api',
                now,
                ids,
              )
              const outcome = await store.fileImports.trigger(
                workspace.id,
                importId,
                now,
                TRIGGER_GAP_MS,
                runs,
              )
              if (outcome === 'missing') throw new AppError('file_import_not_found')
              if (outcome === 'recent') throw new AppError('file_import_recent')
              return { status: 'success', message: 'Triggered Import Successfully' }
            },
          })
        }
      })
      await guardedScope(app, platformGuard(platform, FILE_IMPORTS_AUTH, 'none'), (api) => {
        for (const prefix of PREFIXES) {
          familyRoute(api, quotas, {
            family: 'file_imports',
            endpoint: 'file_imports_status',
            url: `${prefix}/import/status`,
            method: 'POST',
            quota: 'file_imports_status',
            bodyLimitBytes,
            handler: async (request, workspace) =>
              statusAnswer(store, workspace.id, parseStatusQuery(bodyOf(request))),
          })
          familyRoute(api, quotas, {
            family: 'file_imports',
            endpoint: 'file_imports_history',
            url: `${prefix}/import/run/history`,
            method: 'POST',
            quota: 'file_imports_history',
            bodyLimitBytes,
            handler: async (request, workspace) =>
              historyAnswer(store, workspace.id, parseHistoryQuery(bodyOf(request))),
          })
        }
      })
      for (const prefix of PREFIXES) {
        for (const [url, endpoint] of [
          [`${prefix}/trigger/:schedule_id`, 'file_imports'],
          [`${prefix}/import/status`, 'file_imports_status'],
          [`${prefix}/import/run/history`, 'file_imports_history'],
        ] as const) {
          otherMethodsRoute(app, { family: 'file_imports', endpoint, url }, ['POST'])
        }
        // Another path under the prefix: the pages' 404s (status and run history's own form
        // under /import/, the trigger page's elsewhere), before any authentication.
        for (const [url, endpoint] of [
          [`${prefix}/:other`, 'file_imports'],
          [`${prefix}/import/:other`, 'file_imports_status'],
          [`${prefix}/import/run/:other`, 'file_imports_history'],
        ] as const) {
          app.route({
            method: [...FAMILY_METHODS],
            url,
            config: { family: 'file_imports', endpoint, noBody: true } satisfies RouteConfig,
            handler: () => {
              throw new AppError('route_not_found')
            },
          })
        }
      }
    },
  }
}
