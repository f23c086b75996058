/**
 * The admin API under `/inlet/v1/admin/` (Inlet's own): create, list, read and update workspaces
 * (name, state, quota limits, settings), rotate and remove Data API keys. Registered only when
 * INLET_ADMIN_TOKEN is set (otherwise every admin path is a 404) and authenticated by
 * `Authorization: Bearer <token>`, compared in constant time. Keys are answered only by create and
 * rotate-key; every other answer is the workspace view of workspaces/changes.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../core/errors.js'
import { StoreConflictError, type Store } from '../../store/store.js'
import { liftInput, suppressionView } from '../../privacy/suppressions.js'
import {
  WorkspaceInputError,
  parseName,
  parseState,
  parseWorkspaceChanges,
  workspaceView,
} from '../../workspaces/changes.js'
import {
  WorkspaceNotFoundError,
  type CreateWorkspaceInput,
  type RotateKeyInput,
  type Workspaces,
} from '../../workspaces/workspaces.js'
import type { AuthFailureLimiter } from '../../http/auth-failures.js'
import type { RouteConfig } from '../../http/error-handler.js'

export const ADMIN_PREFIX = '/inlet/v1/admin'

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** True when `header` is `Bearer <token>`; hashing first makes the comparison length-blind. */
export function adminTokenMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim())
  const given = match?.[1] ?? ''
  return timingSafeEqual(digest(given), digest(token)) && given !== ''
}

function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body: unknown = request.body
  if (body === undefined || body === null) return {}
  return body as Record<string, unknown> // json-body.ts yields only objects for a POST
}

/** Admin failures on the wire: input errors 400, unknown ids 404, taken ids 409. */
function toAdminError(err: unknown): unknown {
  if (err instanceof WorkspaceInputError) {
    return new AppError('admin_invalid_input', {
      params: { detail: err.message, attribute: err.attribute },
    })
  }
  if (err instanceof WorkspaceNotFoundError) {
    return new AppError('admin_workspace_not_found', { params: { workspace_id: err.workspaceId } })
  }
  return err
}

function createInput(body: Record<string, unknown>): CreateWorkspaceInput {
  const { workspace_id: id, data_api_key: key, name, state, limits, settings, ...rest } = body
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) {
    throw new WorkspaceInputError(
      `${unknown} is not a known field (known: workspace_id, data_api_key, name, state, limits, settings)`,
      unknown,
    )
  }
  if (id !== undefined && typeof id !== 'string') {
    throw new WorkspaceInputError('workspace_id should be a string', 'workspace_id')
  }
  if (key !== undefined && typeof key !== 'string') {
    throw new WorkspaceInputError('data_api_key should be a string', 'data_api_key')
  }
  const changes = parseWorkspaceChanges({
    ...(limits === undefined ? {} : { limits }),
    ...(settings === undefined ? {} : { settings }),
  })
  return {
    ...(id === undefined ? {} : { id }),
    ...(key === undefined ? {} : { key }),
    ...(name === undefined ? {} : { name: parseName(name) }),
    ...(state === undefined ? {} : { state: parseState(state) }),
    changes,
  }
}

function rotateInput(body: Record<string, unknown>): RotateKeyInput {
  const { data_api_key: key, grace_seconds: grace, ...rest } = body
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) {
    throw new WorkspaceInputError(
      `${unknown} is not a known field (known: data_api_key, grace_seconds)`,
      unknown,
    )
  }
  if (key !== undefined && typeof key !== 'string') {
    throw new WorkspaceInputError('data_api_key should be a string', 'data_api_key')
  }
  if (grace !== undefined && typeof grace !== 'number') {
    throw new WorkspaceInputError('grace_seconds should be a whole number', 'grace_seconds')
  }
  return {
    ...(key === undefined ? {} : { key }),
    ...(grace === undefined ? {} : { graceSeconds: grace }),
  }
}

export function adminRoutes(
  api: FastifyInstance,
  deps: Readonly<{
    workspaces: Workspaces
    adminToken: string
    isClosing: () => boolean
    authFailures?: AuthFailureLimiter
    /** For the suppression list (spec §7.12, Inlet). */
    store: Store
  }>,
): void {
  const { workspaces } = deps
  const config: RouteConfig = { family: 'admin' }
  api.addHook('onRequest', (request, _reply, done) => {
    if (deps.isClosing()) return done(new AppError('service_unavailable'))
    try {
      deps.authFailures?.check(request)
    } catch (err) {
      return done(err as AppError) // check() throws only AppError
    }
    if (!adminTokenMatches(request.headers.authorization, deps.adminToken)) {
      const err = new AppError('admin_unauthorized')
      deps.authFailures?.observe(request, err)
      return done(err)
    }
    done()
  })
  const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id // route param of every /workspaces/:id route
  const guarded =
    <T>(handler: (request: FastifyRequest) => Promise<T>) =>
    async (request: FastifyRequest): Promise<T> => {
      try {
        return await handler(request)
      } catch (err) {
        throw toAdminError(err)
      }
    }

  api.get(`${ADMIN_PREFIX}/workspaces`, { config }, async () => ({
    status: 'success',
    workspaces: (await workspaces.list()).map(workspaceView),
  }))

  api.post(
    `${ADMIN_PREFIX}/workspaces`,
    { config },
    guarded(async (request) => {
      const input = createInput(bodyObject(request))
      try {
        const { workspace, dataApiKey } = await workspaces.create(input)
        return { status: 'success', workspace: workspaceView(workspace), data_api_key: dataApiKey }
      } catch (err) {
        if (err instanceof StoreConflictError) {
          throw new AppError('admin_workspace_exists', {
            params: { workspace_id: input.id ?? '' },
          })
        }
        throw err
      }
    }),
  )

  api.get(
    `${ADMIN_PREFIX}/workspaces/:id`,
    { config },
    guarded(async (request) => ({
      status: 'success',
      workspace: workspaceView(await workspaces.get(idOf(request))),
    })),
  )

  api.post(
    `${ADMIN_PREFIX}/workspaces/:id`,
    { config },
    guarded(async (request) => {
      const changes = parseWorkspaceChanges(bodyObject(request))
      return {
        status: 'success',
        workspace: workspaceView(await workspaces.update(idOf(request), changes)),
      }
    }),
  )

  api.post(
    `${ADMIN_PREFIX}/workspaces/:id/rotate-key`,
    { config },
    guarded(async (request) => {
      const { workspace, dataApiKey } = await workspaces.rotateKey(
        idOf(request),
        rotateInput(bodyObject(request)),
      )
      return { status: 'success', workspace: workspaceView(workspace), data_api_key: dataApiKey }
    }),
  )

  // spec §7.12 (Inlet): the suppression list of erased identities, and lifting from it.
  api.get(
    `${ADMIN_PREFIX}/workspaces/:id/suppressions`,
    { config },
    guarded(async (request) => {
      const workspace = await workspaces.get(idOf(request))
      return {
        status: 'success',
        suppressions: (await deps.store.profiles.suppressions(workspace.id)).map(suppressionView),
      }
    }),
  )

  api.post(
    `${ADMIN_PREFIX}/workspaces/:id/suppressions/lift`,
    { config },
    guarded(async (request) => {
      const workspace = await workspaces.get(idOf(request))
      const by = liftInput(workspace.id, bodyObject(request))
      return {
        status: 'success',
        lifted: await deps.store.profiles.liftSuppressions(workspace.id, by),
      }
    }),
  )

  api.post(
    `${ADMIN_PREFIX}/workspaces/:id/remove-key`,
    { config },
    guarded(async (request) => ({
      status: 'success',
      workspace: workspaceView(await workspaces.removeKey(idOf(request))),
    })),
  )
}
