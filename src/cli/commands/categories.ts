/**
 * `inlet workspaces categories list|set|remove` and `inlet workspaces link`: a workspace's
 * subscription categories (workspaces/subscription-categories.ts, the same checks as the admin
 * API) and the signed link ids of a user's preference page (workspaces/link-tokens.ts), in the
 * data directory directly. Link tokens are signed under the server secret: INLET_SECRET_KEY, else
 * the data directory's `secret.key` (shared with the server); with PostgreSQL, INLET_SECRET_KEY
 * must be set, the same as the server's. The tokens last INLET_LINK_TOKEN_TTL_DAYS, or the days
 * `--expires-in-days` names.
 */
import { systemClock } from '../../core/clock.js'
import {
  MAX_LINK_TOKEN_TTL_DAYS,
  createLinkTokens,
  issueLinkIds,
} from '../../workspaces/link-tokens.js'
import { createSecretBox, previousSecret, serverSecret } from '../../workspaces/secret-box.js'
import {
  createSubscriptionCategories,
  parseCategoryInput,
  parseCategoryName,
  type CategoryView,
} from '../../workspaces/subscription-categories.js'
import {
  UsageError,
  inputUsageAsync,
  onOff,
  parseStoreFlags,
  print,
  stringFlags,
  withStore,
  type Command,
} from '../command.js'

function showCategories(id: string, views: readonly CategoryView[]): void {
  const lines = views.map(
    (v) =>
      `${v.active ? 'active  ' : 'inactive'}  ${v.name}${v.description === '' ? '' : `  (${v.description})`}`,
  )
  process.stdout.write(
    `Workspace ID:  ${id}\n${lines.length === 0 ? 'No subscription categories.' : lines.join('\n')}\n`,
  )
}

export const categoriesCommand: Command = async (args, env) => {
  const [action, ...rest] = args
  const values = parseStoreFlags(rest, stringFlags('id', 'name', 'description', 'active'))
  const json = values.json === true
  const id = values.id
  if (id === undefined) throw new UsageError(`workspaces categories ${action ?? ''} needs --id`)
  if (!['list', 'set', 'remove'].includes(action ?? '')) {
    throw new UsageError(`unknown workspaces categories command: ${action ?? '(none)'}`)
  }
  if (action !== 'list' && values.name === undefined) {
    throw new UsageError(`workspaces categories ${action ?? ''} needs --name`)
  }
  return withStore(env, values, (store) =>
    inputUsageAsync(async () => {
      const categories = createSubscriptionCategories({ store, clock: systemClock })
      if (action === 'list') {
        const views = await categories.list(id)
        if (json) print({ workspace_id: id, categories: views })
        else showCategories(id, views)
      } else if (action === 'remove') {
        const removed = await categories.remove(id, parseCategoryName(values.name))
        if (json) print({ workspace_id: id, removed })
        else process.stdout.write(removed ? 'Removed.\n' : `No category ${values.name ?? ''}.\n`)
      } else {
        const active = onOff('active', values.active)
        const view = await categories.put(
          id,
          parseCategoryInput({
            name: values.name,
            ...(values.description === undefined ? {} : { description: values.description }),
            ...(active === undefined ? {} : { active }),
          }),
        )
        if (json) print({ workspace_id: id, category: view })
        else showCategories(id, [view])
      }
      return 0
    }),
  )
}

export const linkCommand: Command = async (args, env) => {
  const values = parseStoreFlags(
    args,
    stringFlags('id', 'customer-id', 'user-id', 'cid', 'expires-in-days'),
  )
  const id = values.id
  if (id === undefined || values.cid === undefined || values.cid === '') {
    throw new UsageError('workspaces link needs --id and --cid')
  }
  const customerId = values['customer-id']
  const userId = values['user-id']
  if ((customerId === undefined) === (userId === undefined)) {
    throw new UsageError('workspaces link needs one of --customer-id and --user-id')
  }
  const days = values['expires-in-days']
  if (
    days !== undefined &&
    (!/^[1-9][0-9]{0,3}$/.test(days) || Number(days) > MAX_LINK_TOKEN_TTL_DAYS)
  ) {
    throw new UsageError(`--expires-in-days expects 1 to ${MAX_LINK_TOKEN_TTL_DAYS}: ${days}`)
  }
  const cid = values.cid
  return withStore(env, values, async (store, config) => {
    const [user] = await store.profiles.findUsers(id, {
      customerIds: customerId === undefined ? [] : [customerId],
      ids: userId === undefined ? [] : [userId],
    })
    if (user === undefined) throw new UsageError(`no such user in workspace ${id}`)
    const tokens = createLinkTokens(createSecretBox(serverSecret(config), previousSecret(config)))
    const issued = issueLinkIds(tokens, {
      workspaceId: id,
      userId: user.id,
      campaignId: cid,
      now: systemClock.now(),
      ttlDays: days === undefined ? config.linkTokenTtlDays : Number(days),
    })
    const link = {
      user_id: issued.userId,
      cid: issued.cid,
      expires_at: new Date(issued.expiresAt).toISOString(),
    }
    if (values.json === true)
      print({ workspace_id: id, user: { id: user.id, customer_id: user.customerId }, ...link })
    else {
      const query = `user_id=${encodeURIComponent(link.user_id)}&cid=${encodeURIComponent(link.cid)}`
      process.stdout.write(
        `user_id:  ${link.user_id}\ncid:      ${link.cid}\nExpires:  ${link.expires_at}\nQuery:    ?${query}\n`,
      )
    }
    return 0
  })
}
