/**
 * `inlet suppressions list|lift`: the suppression list of erased identities (spec §7.12, Inlet)
 * in the data directory (the server may be running): list a workspace's entries (types and
 * hashes; values are never kept), and lift one identity (`--type T --value V`, hashed as the
 * erasure hashed it) or every entry of one GDPR request (`--request ID`). The same input rules as
 * the admin API (privacy/suppressions.ts). A lifted identity is accepted again from the next
 * record the processor applies.
 */
import { liftInput, suppressionView } from '../../privacy/suppressions.js'
import {
  UsageError,
  inputUsage,
  parseStoreFlags,
  print,
  stringFlags,
  withStore,
  type Command,
} from '../command.js'

export const suppressionsCommand: Command = async (args, env) => {
  const [sub, ...rest] = args
  const values = parseStoreFlags(rest, stringFlags('workspace', 'type', 'value', 'request'))
  if (sub !== 'list' && sub !== 'lift') {
    throw new UsageError(`unknown suppressions command: ${sub ?? '(none)'}`)
  }
  const workspaceId = values.workspace
  if (workspaceId === undefined) throw new UsageError(`suppressions ${sub} needs --workspace`)
  const by =
    sub === 'lift'
      ? inputUsage(() =>
          liftInput(workspaceId, {
            ...(values.type === undefined ? {} : { identity_type: values.type }),
            ...(values.value === undefined ? {} : { identity_value: values.value }),
            ...(values.request === undefined ? {} : { request_id: values.request }),
          }),
        )
      : undefined
  return withStore(env, values, async (store) => {
    if ((await store.workspaces.get(workspaceId)) === undefined) {
      throw new Error(`no workspace with id '${workspaceId}'`)
    }
    if (by === undefined) {
      const list = (await store.profiles.suppressions(workspaceId)).map(suppressionView)
      if (values.json === true) print(list)
      else {
        for (const s of list) {
          process.stdout.write(`${s.identity_type}\t${s.hash}\t${s.request_id}\t${s.created_at}\n`)
        }
      }
      return 0
    }
    const lifted = await store.profiles.liftSuppressions(workspaceId, by)
    if (values.json === true) print({ lifted })
    else process.stdout.write(`lifted ${lifted} suppression${lifted === 1 ? '' : 's'}\n`)
    return 0
  })
}
