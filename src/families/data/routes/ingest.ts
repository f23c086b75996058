/**
 * The four ingest endpoints: Track User `POST /v1/customer/{id}` (spec §7.1), Create Event
 * `POST /v1/event/{id}` (§7.2), Track Device `POST /v1/device/{id}` (§7.4) and Bulk Import
 * `POST /v1/transition/{id}` and `POST /v1/transition?app_id=` (§7.3). Each validates its body,
 * hands the records to ingest (durable before the 200) and answers the §4.1 envelope. Bulk follows
 * the workspace's strict setting (§7.3); `project_code` (§6.3) tags the records with their project.
 */
import type { ParsedRecord } from '../../../core/records.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../../core/config.js'
import { AppError } from '../../../core/errors.js'
import type { Ingest } from '../../../ingest/accept.js'
import { createIdempotency, idempotencyKeyOf } from '../idempotency.js'
import { bulkRowPayload, parseBulk, withProject, type BulkOptions } from '../bulk-rows.js'
import { parseCustomer, parseDevice, parseEvent } from '../bodies/ingest-bodies.js'
import type { Governance, GovernedRequest } from '../../../governance/governance.js'
import type { Workspace } from '../../../store/store.js'
import { INGEST_QUOTAS, ingestDemands } from '../quotas.js'
import { readSettings, projectName, type WorkspaceSettings } from '../../../workspaces/settings.js'
import { ACCEPTED_SCHEMA, acceptedBody, bodyOf, dataRoute, workspaceRowOf } from '../../../http/route.js'

export type IngestRouteDeps = Readonly<{
  ingest: Ingest
  config: Config
  governance: Governance
  /** Whether the workspace's log holds records of the request (the Idempotency-Key check). */
  logged: (workspaceId: string, requestId: string) => Promise<boolean>
}>

export function ingestRoutes(root: FastifyInstance, api: FastifyInstance, deps: IngestRouteDeps) {
  const { config } = deps
  const idempotency = createIdempotency(deps.logged)
  const submitWith = ingestSubmitter(deps)
  const single = (endpoint: IngestEndpoint) => {
    const submit = submitWith(endpoint)
    return async function accept(request: FastifyRequest) {
      // Inlet's extension: a keyed request is logged under its key, and only once (idempotency.ts).
      const key = idempotencyKeyOf(request)
      if (key === undefined) {
        await submit(request, request.id)
        return acceptedBody(request.id)
      }
      const workspace = workspaceRowOf(request)
      await idempotency.once(workspace.id, key, () => submit(request, key))
      return acceptedBody(key)
    }
  }
  const common = { bodyLimitBytes: config.bodyLimitBytes, responseSchema: ACCEPTED_SCHEMA }
  dataRoute(root, api, {
    ...common,
    url: '/v1/customer/:id',
    endpoint: 'customer',
    handler: single('customer'),
  })
  dataRoute(root, api, {
    ...common,
    url: '/v1/event/:id',
    endpoint: 'event',
    handler: single('event'),
  })
  dataRoute(root, api, {
    ...common,
    url: '/v1/device/:id',
    endpoint: 'device',
    handler: single('device'),
  })
  const bulk = single('bulk')
  for (const url of ['/v1/transition/:id', '/v1/transition']) {
    dataRoute(root, api, {
      url,
      endpoint: 'bulk',
      bodyLimitBytes: config.bulkBodyLimitBytes,
      responseSchema: ACCEPTED_SCHEMA,
      handler: bulk,
    })
  }
}

export type IngestEndpoint = 'customer' | 'event' | 'device' | 'bulk'

/** Each ingest endpoint's body as its records (spec §7.1–§7.4). */
export const INGEST_PARSERS: Readonly<
  Record<IngestEndpoint, (body: Record<string, unknown>, options: BulkOptions) => ParsedRecord[]>
> = {
  customer: (body, { identifiers }) => [
    parseCustomer(body, { checkType: true, ...(identifiers && { identifiers }) }),
  ],
  event: (body, { identifiers }) =>
    parseEvent(body, { checkType: true, ...(identifiers && { identifiers }) }),
  device: (body) => [parseDevice(body, { checkType: true })],
  bulk: parseBulk,
}

/**
 * What the ingest steps read of a request and set on it: a FastifyRequest, or the request of the
 * raw ingest path (families/data/raw-ingest.ts), which runs the same steps.
 */
export type IngestRequest = GovernedRequest & {
  workspace: Workspace | null
  /** The parsed JSON body (json-body.ts: an object). */
  body: unknown
  bodyText: string | undefined
  /** The parsed query (`project_code`). */
  readonly query: unknown
}

/**
 * The steps of an ingest endpoint once its body is parsed, in spec §4.5's order: the quota state
 * (and a quota already spent: 429), the body's records, the quota taken for them, fair usage, and
 * the records handed to ingest. Resolves once they are committed. Nothing parsed outlives the
 * call: the records are log text by now, and the parsed body is let go while the commit runs
 * (with many Bulk requests waiting for one commit, their parsed bodies were most of the server's
 * memory).
 */
export function ingestSubmitter(deps: Pick<IngestRouteDeps, 'ingest' | 'governance'>) {
  const { ingest, governance } = deps
  return (endpoint: IngestEndpoint) => {
    const parse = INGEST_PARSERS[endpoint]
    return async (request: IngestRequest, requestId: string): Promise<void> => {
      const workspace = workspaceRowOf(request)
      governance.observe(request, workspace, INGEST_QUOTAS[endpoint])
      const settings = readSettings(workspace.settings)
      const project = projectOf(request, settings)
      const options: BulkOptions = {
        strict: settings.bulkStrictElementValidation,
        ...identifiersOf(settings),
        ...(project === undefined ? {} : { project }),
      }
      const records = parse(bodyOf(request), options)
      if (project !== undefined) for (const r of records) withProject(r, project)
      // spec §5.1: the request's records are counted against the quota, all or none (429).
      // (a Promise only when this process must first fetch a quota lease: shared-quotas.ts)
      const leased = governance.admit(request, workspace, ingestDemands(endpoint, records))
      if (leased !== undefined) await leased
      const admitted = governance.fairUsage(workspace, records)
      const ctx = { workspaceId: workspace.id, requestId, api: endpoint }
      const text = request.bodyText
      // A Bulk request is logged as its text (families/data/bulk-rows.ts), unless the log would
      // only expand it again (PostgreSQL) or fair usage blocked some of its records (spec §5.3):
      // those are logged as the blocked records they became.
      const asRow =
        endpoint === 'bulk' &&
        ingest.bulkRows &&
        text !== undefined &&
        admitted.length === records.length &&
        admitted.every((r, i) => r === records[i])
      const committed = asRow
        ? ingest.acceptBulkRow(ctx, bulkRowPayload(text, options), records.length)
        : ingest.accept(ctx, admitted)
      request.body = undefined
      request.bodyText = undefined
      return committed
    }
  }
}

/** spec §6.2: the identifiers to read, when the workspace has Identity Resolution on. */
function identifiersOf(settings: WorkspaceSettings): { identifiers?: readonly string[] } {
  return settings.identityResolution ? { identifiers: settings.identifiers } : {}
}

/** spec §6.3: the `project_code` query parameter, resolved to its project name. */
function projectOf(
  request: Pick<IngestRequest, 'query'>,
  settings: WorkspaceSettings,
): string | undefined {
  const query = request.query as Record<string, unknown> // Fastify parses the query to an object
  const code = query['project_code']
  if (code === undefined) return undefined
  const name = typeof code === 'string' && code !== '' ? projectName(settings, code) : undefined
  if (name === undefined) {
    throw new AppError('project_code_invalid', {
      params: { code: typeof code === 'string' ? code : JSON.stringify(code) },
    })
  }
  return name
}
