/**
 * `inlet serve`: loads the configuration (flags override the environment), starts Inlet, prints
 * where it listens and — when this start created a workspace — its id, and its key only when Inlet
 * generated it (a key given in INLET_DATA_API_KEY is never printed), then runs until SIGTERM or
 * SIGINT and shuts down gracefully.
 */
import type { Role } from '../../core/config.js'
import { createLogger } from '../../core/log.js'
import { startInlet } from '../../server/server.js'
import type { BootstrappedWorkspace } from '../../workspaces/workspaces.js'
import { configWith, parseFlags, stringFlags, type Command } from '../command.js'

/** What `inlet serve` prints once started. */
export function startupMessage(
  url: string,
  role: Role,
  created: BootstrappedWorkspace | undefined,
): string {
  const out: string[] = [
    role === 'processor'
      ? `Inlet processor is running; health check on ${url}/healthz`
      : `Inlet is serving the MoEngage Data API on ${url}`,
  ]
  if (created !== undefined) {
    const { workspace, generatedKey } = created
    const track = [
      `    -d '{"type":"customer","customer_id":"john","attributes":{"first_name":"John"}}' \\`,
      `    ${url}/v1/customer/${workspace.id}`,
    ]
    if (generatedKey === undefined) {
      out.push(
        '',
        `Created workspace ${workspace.id}; it uses the Data API key given in INLET_DATA_API_KEY (not printed).`,
        '',
        'Try it:',
        `  curl -u "${workspace.id}:$INLET_DATA_API_KEY" -H 'Content-Type: application/json' \\`,
        ...track,
      )
    } else {
      out.push(
        '',
        'Created a workspace. Its Data API key is shown only now; keep it:',
        `  Workspace ID:  ${workspace.id}`,
        `  Data API key:  ${generatedKey}`,
        '',
        'Try it:',
        `  curl -u '${workspace.id}:${generatedKey}' -H 'Content-Type: application/json' \\`,
        ...track,
      )
    }
  }
  return out.join('\n') + '\n'
}

export const serveCommand: Command = async (args, env) => {
  const values = parseFlags(args, {
    ...stringFlags('port', 'host', 'data-dir', 'database-url', 'role'),
    'no-processor': { type: 'boolean' },
  })
  const config = configWith(env, {
    PORT: values.port,
    HOST: values.host,
    INLET_DATA_DIR: values['data-dir'],
    DATABASE_URL: values['database-url'],
    INLET_PROCESSOR: values['no-processor'] === true ? 'false' : undefined,
    INLET_ROLE: values.role,
  })
  const log = createLogger({ level: config.logLevel })
  const inlet = await startInlet(config, { log })

  process.stdout.write(startupMessage(inlet.url, config.role, inlet.created))

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down')
      inlet.close().then(resolve, (err: unknown) => {
        log.error({ err }, 'shutdown failed')
        resolve()
      })
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  return 0
}
