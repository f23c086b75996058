/**
 * `inlet workspaces create|list`: manage workspaces in the data directory directly (the server may
 * be running; SQLite's locking lets both work on the same files). `create` prints the Data API key
 * once, as JSON with `--json`.
 */
import { parseArgs } from 'node:util'
import { systemClock } from '../../clock.js'
import { loadConfig } from '../../config.js'
import { createIdGenerator } from '../../ids.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'
import { StoreConflictError } from '../../store/store.js'
import { WorkspaceInputError, createWorkspaces } from '../../workspaces/workspaces.js'
import { UsageError, usage } from '../cli.js'

export async function workspacesCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const [sub, ...rest] = args
  const { values } = usage(() =>
    parseArgs({
      args: [...rest],
      strict: true,
      options: {
        id: { type: 'string' },
        key: { type: 'string' },
        name: { type: 'string' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
    }),
  )
  const merged: Record<string, string | undefined> = { ...env }
  if (values['data-dir'] !== undefined) merged['INLET_DATA_DIR'] = values['data-dir']
  const config = loadConfig(merged)
  const store = createSqliteStore({ dir: config.dataDir, durability: config.durability })
  const workspaces = createWorkspaces({ store, clock: systemClock, ids: createIdGenerator() })
  try {
    switch (sub) {
      case 'create': {
        try {
          const input: { id?: string; key?: string; name?: string } = {}
          if (values.id !== undefined) input.id = values.id
          if (values.key !== undefined) input.key = values.key
          if (values.name !== undefined) input.name = values.name
          const { workspace, dataApiKey } = await workspaces.create(input)
          if (values.json === true) {
            process.stdout.write(
              JSON.stringify({
                workspace_id: workspace.id,
                data_api_key: dataApiKey,
                name: workspace.name,
              }) + '\n',
            )
          } else {
            process.stdout.write(
              `Workspace ID:  ${workspace.id}\nData API key:  ${dataApiKey}\n(the key is shown only now)\n`,
            )
          }
          return 0
        } catch (err) {
          if (err instanceof StoreConflictError || err instanceof WorkspaceInputError) {
            process.stderr.write(`inlet: ${err.message}\n`)
            return 1
          }
          throw err
        }
      }
      case 'list': {
        const list = await workspaces.list()
        if (values.json === true) {
          const rows = list.map((w) => ({
            workspace_id: w.id,
            name: w.name,
            state: w.state,
            key_set: w.keyHash !== null,
            created_at: new Date(w.createdAt).toISOString(),
          }))
          process.stdout.write(JSON.stringify(rows) + '\n')
        } else {
          for (const w of list) process.stdout.write(`${w.id}\t${w.state}\t${w.name}\n`)
        }
        return 0
      }
      default:
        throw new UsageError(`unknown workspaces command: ${sub ?? '(none)'}`)
    }
  } finally {
    await store.close()
  }
}
