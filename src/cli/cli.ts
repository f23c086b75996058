/**
 * The `inlet` command line (entry point: cli/main.ts): `inlet serve`, `inlet workspaces …`,
 * `inlet suppressions …`, `inlet import FILE` and `inlet export users|events`.
 * Parses arguments with node:util parseArgs, reads the environment once through loadConfig, and
 * maps failures to exit codes (0 ok, 1 failure, 2 usage or configuration).
 */
import { ConfigError } from '../core/config.js'
import { UsageError } from './command.js'
import { exportCommand } from './commands/export.js'
import { importCommand } from './commands/import.js'
import { serveCommand } from './commands/serve.js'
import { suppressionsCommand } from './commands/suppressions.js'
import { workspacesCommand } from './commands/workspaces.js'

export { UsageError, usage } from './command.js'

export const HELP = `Usage: inlet <command> [options]

Commands:
  serve                     Serve the MoEngage Data API (HTTP + processor)
      --port N              Port (env PORT, default 8080)
      --host H              Interface (env HOST, default 127.0.0.1)
      --data-dir DIR        Data directory (env INLET_DATA_DIR, default ./data)
      --database-url URL    PostgreSQL instead of SQLite (env DATABASE_URL)
      --no-processor        Accept and log only; do not apply records
      --role all|api|processor  api: HTTP only; processor: apply the log, /healthz only
                            (env INLET_ROLE, default all; see docs/deploying.md)
  workspaces create         Create a workspace and print its Data API key (shown once)
      --id ID --key KEY --name NAME --json --data-dir DIR --database-url URL
      (and any update flag)
  workspaces list           List workspaces (--json for JSON)
  workspaces get --id ID    Show a workspace: state, key set, limits, settings (--json)
  workspaces update --id ID Change a workspace (flags below; others stay as they are)
      --name NAME
      --state active|blacklisted|suspended|temporarily_suspended
      --limit QUOTA=N|default   (repeatable; quotas: track_user, create_event, track_device,
                                 bulk_users, bulk_events, get_user, merge, delete, device_opt_out)
      --project CODE=NAME       (repeatable; replaces the project list)
      --goal EVENT[=REVENUE_ATTR] conversion goal (repeatable; replaces the list; none clears)
      --bulk-strict on|off  --identity-resolution on|off  --fair-usage on|off
      --attribution-key KEY|none  the key GET /v1/installInfo is authenticated by
      --plain-link-ids on|off  preference pages also take plain user_id/cid (not only tokens)
  workspaces set-state --id ID --state STATE      Only the state
  workspaces set-limits --id ID --limit QUOTA=N   Only quota limits
  workspaces rotate-key --id ID [--key KEY] [--grace-seconds N] [--json]
                            New Data API key (shown once); running servers switch to it
                            within about a second, and the old key then stops working (or N
                            seconds later)
  workspaces remove-key --id ID                   No key: requests answer 409 until one is set
  workspaces keys list --id ID [--json]
                            Which feature keys the workspace has (data, push, inform,
                            personalize, reports), when made and rotated; never a key
  workspaces keys create --id ID --feature F [--key KEY] [--json]
                            A first key for feature F (shown once); F already having one fails
  workspaces keys rotate --id ID --feature F [--key KEY] [--grace-seconds N] [--json]
                            New key for F (shown once); the old one stops working at once, or N
                            seconds later. Push and reports keys are stored encrypted under
                            INLET_SECRET_KEY, else the data directory's secret.key (docs/auth.md)
  workspaces keys remove --id ID --feature F      No key for F: its requests answer 409
      Running servers see workspace changes made here within about a second (each keeps a
      workspace for 1 s); the admin API's own changes apply at once in the process serving it.
  workspaces categories list --id ID [--json]      The workspace's subscription categories
  workspaces categories set --id ID --name NAME [--description D] [--active on|off] [--json]
                            Create a category (active) or change one
  workspaces categories remove --id ID --name NAME  Remove it and every user's choice for it
  workspaces alerts list --id ID [--json]          The workspace's Inform alerts
  workspaces alerts set --id ID --file FILE [--json]
                            Create an Inform alert, or replace the one its alert_id names, from
                            a JSON definition (the admin API's body; - reads stdin; docs/outbox.md)
  workspaces alerts remove --id ID --alert-id ALERT
                            Remove it (messages it sent stay in the outbox)
  workspaces live-activities list --id ID [--json]  The workspace's live-activity campaigns
  workspaces live-activities set --id ID (--file FILE | --name NAME [--campaign-id C]
      [--attribute-type T] [--ios-auth p8|p12] [--max-instances N]) [--json]
                            Create a campaign, or replace the one its campaign_id names
  workspaces live-activities remove --id ID --campaign-id C
                            Remove it (its instances' messages stay in the outbox)
  workspaces file-imports list --id ID [--json]     The workspace's file imports (docs/imports.md)
  workspaces file-imports set --id ID (--file FILE | --name NAME --source URL --type users|events
      [--format csv|jsonl] [--import-id I] [--interval-minutes N | --daily-at HH:MM]) [--json]
                            Define a file import, or replace the one its import_id names
  workspaces file-imports remove --id ID --import-id I
                            Remove it and its runs
  workspaces cards list --id ID [--json]           The workspace's card campaigns
  workspaces cards set --id ID --file FILE [--json]
                            Create a card campaign, or replace the one its campaign_id names,
                            from a JSON definition (the admin API's body; docs/cards.md)
  workspaces cards remove --id ID --campaign-id C   Remove it (cards it sent stay in the inboxes)
  workspaces cards send --id ID --campaign-id C [--json]
                            Put its cards in its audience's inboxes now
  workspaces delivery show --id ID [--json]        The outbox's delivery mode (docs/outbox.md)
  workspaces delivery set --id ID (--file FILE | --mode record | --mode webhook --url URL
      [--secret S] | --mode smtp --host H [--port P] [--secure on|off] [--user U] [--from F]) [--json]
                            Set it; a webhook secret Inlet generates is printed once. An SMTP
                            password is given only in a --file (the admin API's body)
  workspaces link --id ID (--customer-id C | --user-id U) --cid CAMPAIGN [--expires-in-days N] [--json]
                            Signed user_id and cid of a user's preference page (Subscription
                            categories GET/PUT), under the server secret (docs/auth.md)
  suppressions list --workspace ID [--json]
                            Identities erased by GDPR requests (types and hashes, no values)
  suppressions lift --workspace ID (--type TYPE --value VALUE | --request GDPR_REQUEST_ID)
                            Accept data for an erased identity again (TYPE: ID, email, mobile,
                            google_advertising_id, advertising_identifier, user_secondary_id)
  import FILE               Import a CSV or JSON-lines file of users or events through the Data
                            API (docs/imports.md); a rerun resumes from the checkpoint
      --workspace ID        (env MOENGAGE_WORKSPACE_ID); the key in env MOENGAGE_API_KEY (or --api-key)
      --base-url URL | --data-center 01..06|101
                            (env MOENGAGE_BASE_URL / MOENGAGE_DATA_CENTER; default http://127.0.0.1:PORT)
      --type users|events   (default: from the header or first line)  --format csv|jsonl
      --id-column C  --event-column C  --time-column C   (defaults customer_id, action, current_time)
      --datetime-columns A,B  read as datetimes, sent as ISO 8601   --string-columns A,B  kept as text
      --batch-size N (rows per body, default 1000)  --batch-bytes N (default and most 102400)
      --checkpoint FILE (default FILE.checkpoint.json)  --rejects FILE (default FILE.rejects.jsonl)
      --restart (forget the checkpoint)  --no-progress  --json (summary as JSON)
  export users|events --workspace ID [--format jsonl|csv] [--out FILE] [--page-size N]
                            A workspace's users or events from the store, streamed (stdout
                            by default); --data-dir DIR --database-url URL as for workspaces
  help                      Show this text

Configuration is read from environment variables: see docs/config.md.
`

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest, env)
      case 'workspaces':
        return await workspacesCommand(rest, env)
      case 'suppressions':
        return await suppressionsCommand(rest, env)
      case 'import':
        return await importCommand(rest, env)
      case 'export':
        return await exportCommand(rest, env)
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP)
        return 0
      default:
        throw new UsageError(`unknown command: ${command}`)
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`inlet: ${err.message}\n`)
      if (err instanceof UsageError) process.stderr.write(`\n${HELP}`)
      return 2
    }
    process.stderr.write(`inlet: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}
