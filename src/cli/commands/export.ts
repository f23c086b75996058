/**
 * `inlet export users|events --workspace ID`: a workspace's users or events from the store (the
 * data directory or DATABASE_URL, as the other local commands; the server may be running) to JSON
 * lines or CSV, on stdout or `--out FILE`, streamed a page at a time (imports/export.ts;
 * docs/imports.md). There is no Data API to list a workspace's users or events, so there is no
 * remote export: Get User reads 20 users at a time by identifier.
 */
import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import type { Writable } from 'node:stream'
import { exportRows, type ExportFormat, type ExportKind } from '../../imports/export.js'
import { UsageError, parseStoreFlags, stringFlags, wholeNumber, withStore } from '../command.js'
import type { Command } from '../command.js'

export const exportCommand: Command = async (args, env) => {
  const [kind, ...rest] = args
  if (kind !== 'users' && kind !== 'events') {
    throw new UsageError(`export needs users or events: ${kind ?? '(none)'}`)
  }
  const values = parseStoreFlags(rest, stringFlags('workspace', 'format', 'out', 'page-size'))
  const workspaceId = values.workspace
  if (workspaceId === undefined) throw new UsageError(`export ${kind} needs --workspace`)
  const format = values.format ?? (values.out?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl')
  if (format !== 'jsonl' && format !== 'csv') {
    throw new UsageError(`--format must be jsonl or csv: ${format}`)
  }
  const pageSize = wholeNumber('page-size', values['page-size'])
  if (pageSize !== undefined && (pageSize < 1 || pageSize > 10_000)) {
    throw new UsageError('--page-size must be from 1 to 10000')
  }
  return withStore(env, values, async (store) => {
    if ((await store.workspaces.get(workspaceId)) === undefined) {
      throw new Error(`no workspace with id '${workspaceId}'`)
    }
    const out: Writable = values.out === undefined ? process.stdout : createWriteStream(values.out)
    const rows = await exportRows(
      store.profiles,
      {
        workspaceId,
        kind: kind satisfies ExportKind,
        format: format satisfies ExportFormat,
        ...(pageSize === undefined ? {} : { pageSize }),
      },
      out,
    )
    if (values.out !== undefined) {
      out.end()
      await finished(out)
      process.stderr.write(`exported ${rows} ${kind} to ${values.out}\n`)
    }
    return 0
  })
}
