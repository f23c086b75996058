/**
 * The SQLite schema as numbered migrations, one list per database file. The ingest log and the
 * profile store are separate files so that appending to the log (the request path) never waits for
 * the processor's write lock, and the processor's batch commits never wait for the log.
 */

export type Migration = Readonly<{ version: number; name: string; sql: string }>

/** `log.db`: the durable ingest log. AUTOINCREMENT keeps seq monotonic across compaction. */
// Alike postgres/migrations.ts's lists on purpose: the same tables in each dialect, each list
// self-contained and append-only, so never shared.
export const LOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ingest log',
    sql: `
      CREATE TABLE log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL,
        customer_id TEXT,
        received_at INTEGER NOT NULL,
        payload TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'log records by request (GET /inlet/v1/requests/{request_id})',
    sql: `CREATE INDEX log_by_request ON log (request_id);`,
  },
  {
    version: 3,
    name: 'Bulk rows: one row per Bulk request, seq the last of its records (ingest/bulk-rows.ts)',
    sql: `ALTER TABLE log ADD COLUMN records INTEGER NOT NULL DEFAULT 1;`,
  },
  {
    version: 4,
    name: "a workspace's log records newest first (the dashboard's recent requests)",
    sql: `CREATE INDEX log_by_workspace ON log (workspace_id, seq);`,
  },
  {
    // Kept by every append (store/browse.ts acceptedCounts), so that the chart never reads the
    // log. The log before it is counted by record kind, its only hint of the API that sent it
    // (a Bulk row's records under its kind, `bulk`); families/dashboard/meter.ts reads those.
    version: 5,
    name: "accepted records per workspace, minute and sending API (the dashboard's workspace page)",
    sql: `
      CREATE TABLE log_minutes (
        workspace_id TEXT NOT NULL,
        minute INTEGER NOT NULL,
        api TEXT NOT NULL,
        records INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, minute, api)
      ) WITHOUT ROWID;
      CREATE INDEX log_minutes_by_minute ON log_minutes (minute);
      INSERT INTO log_minutes (workspace_id, minute, api, records)
        SELECT workspace_id, received_at / 60000, kind, sum(records) FROM log
        GROUP BY workspace_id, received_at / 60000, kind;
    `,
  },
]

/** `store.db`: workspaces and the profile store, written by the processor. */
export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'workspaces, users, devices, events, outcomes',
    sql: `
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT,
        key_salt TEXT,
        state TEXT NOT NULL,
        settings TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE users (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        customer_id TEXT,
        attributes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX users_by_customer_id ON users (workspace_id, customer_id);
      CREATE TABLE devices (
        workspace_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        platform TEXT,
        push_id TEXT,
        attributes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, device_id)
      ) WITHOUT ROWID;
      CREATE INDEX devices_by_user ON devices (workspace_id, user_id);
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        device_id TEXT,
        platform TEXT,
        app_version TEXT,
        event_time INTEGER NOT NULL,
        user_time INTEGER,
        received_at INTEGER NOT NULL,
        request_id TEXT NOT NULL,
        attributes TEXT
      );
      CREATE INDEX events_by_user ON events (workspace_id, user_id, event_time);
      CREATE TABLE record_outcomes (
        seq INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX record_outcomes_by_request ON record_outcomes (request_id);
      CREATE TABLE processor_state (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
      INSERT INTO processor_state (name, value) VALUES ('cursor', 0);
    `,
  },
  {
    version: 2,
    name: 'merge log (spec §7.7; undo)',
    sql: `
      CREATE TABLE merges (
        workspace_id TEXT NOT NULL,
        id INTEGER NOT NULL,
        request_id TEXT NOT NULL,
        retained_user_id TEXT NOT NULL,
        merged_user_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        before TEXT NOT NULL,
        undone_at INTEGER,
        PRIMARY KEY (workspace_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX merges_by_retained ON merges (workspace_id, retained_user_id);
      CREATE INDEX merges_by_merged ON merges (workspace_id, merged_user_id);
    `,
  },
  {
    version: 3,
    name: 'rotated-out Data API key with its grace period (workspace governance)',
    sql: `
      ALTER TABLE workspaces ADD COLUMN prev_key_hash TEXT;
      ALTER TABLE workspaces ADD COLUMN prev_key_salt TEXT;
      ALTER TABLE workspaces ADD COLUMN prev_key_expires_at INTEGER;
    `,
  },
  {
    version: 4,
    name: 'scheduled user deletions (spec §7.8)',
    sql: `
      CREATE TABLE pending_deletions (
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        request_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX pending_deletions_by_due ON pending_deletions (due_at);
    `,
  },
  {
    version: 5,
    name: 'identity links (spec §6.2 Identity Resolution)',
    sql: `
      CREATE TABLE identities (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (workspace_id, name, value, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX identities_by_user ON identities (workspace_id, user_id);
    `,
  },
  {
    version: 6,
    name: 'GDPR erasures and the suppression list (spec §7.12)',
    // pending_log_redactions: log.db is another file, so an erasure's log redactions are written
    // here with the batch and carried over to log.db after the commit (again at open after a crash).
    sql: `
      CREATE TABLE gdpr_requests (
        workspace_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        done_at INTEGER NOT NULL,
        counts TEXT NOT NULL,
        PRIMARY KEY (workspace_id, request_id)
      ) WITHOUT ROWID;
      CREATE TABLE suppressions (
        workspace_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        identity_type TEXT NOT NULL,
        request_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, hash)
      ) WITHOUT ROWID;
      CREATE TABLE pending_log_redactions (
        seq INTEGER PRIMARY KEY,
        payload TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'processor lease and failed attempts (many processors)',
    sql: `
      CREATE TABLE processor_leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE processor_failures (
        seq INTEGER PRIMARY KEY,
        attempts INTEGER NOT NULL,
        last_error TEXT NOT NULL,
        at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'shared quota counts per workspace, quota and minute (spec §5.1, several processes)',
    sql: `
      CREATE TABLE quota_windows (
        workspace_id TEXT NOT NULL,
        quota TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        used INTEGER NOT NULL,
        last_grant INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, quota, window_start)
      ) WITHOUT ROWID;
      CREATE INDEX quota_windows_by_start ON quota_windows (window_start);
    `,
  },
  {
    version: 10,
    name: 'events by month (PostgreSQL partitions) and dashboard indexes',
    sql: `
      CREATE INDEX events_by_workspace_time ON events (workspace_id, event_time);
      CREATE INDEX events_by_name_time ON events (workspace_id, name, event_time);
    `,
  },
  {
    // The events each merge moved, written by the store as it moves them (EventChange 'merge'),
    // so that neither a merge nor its undo loads a user's events; kept until the merge is undone
    // or erased. Merges logged before list them in their before-image instead.
    version: 11,
    name: 'events moved by each merge, kept by the store (undo)',
    sql: `
      CREATE TABLE merge_events (
        workspace_id TEXT NOT NULL,
        merge_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, merge_id, seq)
      ) WITHOUT ROWID;
      `,
  },
  {
    // The windows of several lengths of governance/quotas.ts: the key gains the count's span
    // (window_ms). SQLite cannot change a primary key, so the table is rebuilt; every existing
    // count is a fixed minute's (60,000 ms), which is also the column's default.
    version: 12,
    name: 'quota counts keyed by their span too (windows of a minute, an hour, a day; rolling slices)',
    sql: `
      CREATE TABLE quota_windows_spans (
        workspace_id TEXT NOT NULL,
        quota TEXT NOT NULL,
        window_ms INTEGER NOT NULL DEFAULT 60000,
        window_start INTEGER NOT NULL,
        used INTEGER NOT NULL,
        last_grant INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, quota, window_ms, window_start)
      ) WITHOUT ROWID;
      INSERT INTO quota_windows_spans (workspace_id, quota, window_ms, window_start, used, last_grant)
        SELECT workspace_id, quota, 60000, window_start, used, last_grant FROM quota_windows;
      DROP TABLE quota_windows;
      ALTER TABLE quota_windows_spans RENAME TO quota_windows;
      CREATE INDEX quota_windows_by_end ON quota_windows (window_start + window_ms);
      `,
  },
  {
    version: 13,
    name: 'feature-scoped API keys: push, inform, personalize, reports (docs/auth.md)',
    sql: `
      CREATE TABLE feature_keys (
        workspace_id TEXT NOT NULL,
        feature TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        key_salt TEXT NOT NULL,
        sealed_key TEXT,
        created_at INTEGER NOT NULL,
        rotated_at INTEGER,
        prev_key_hash TEXT,
        prev_key_salt TEXT,
        prev_sealed_key TEXT,
        prev_key_expires_at INTEGER,
        PRIMARY KEY (workspace_id, feature)
      ) WITHOUT ROWID;
    `,
  },
  {
    // The dashboard's user list and searches (store/browse.ts) and its rejected records.
    version: 14,
    name: 'dashboard: users newest first, by email and mobile; outcomes by workspace',
    sql: `
      CREATE INDEX users_by_created ON users (workspace_id, created_at, id);
      CREATE INDEX users_by_email ON users (workspace_id, lower(json_extract(attributes, '$.u_em')), id);
      CREATE INDEX users_by_mobile ON users (workspace_id, CAST(json_extract(attributes, '$.u_mb') AS TEXT), id);
      CREATE INDEX record_outcomes_by_workspace ON record_outcomes (workspace_id, seq);
    `,
  },
  {
    // Subscription categories and preferences (store/consent-repo.ts; families/consent). A
    // user's rows go with its user row (ON DELETE CASCADE: deletions and GDPR erasures). The
    // preferences are keyed for a segment's filter: (workspace, category, channel, subscribed).
    version: 16,
    name: 'subscription categories, statuses and preferences (consent)',
    sql: `
      CREATE TABLE subscription_categories (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        active INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, name)
      ) WITHOUT ROWID;
      CREATE TABLE subscription_status (
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        unsubscribed_all INTEGER NOT NULL,
        opt_in_status TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, user_id, channel),
        FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE TABLE subscription_preferences (
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        category TEXT NOT NULL,
        subscribed INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, user_id, channel, category),
        FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE INDEX subscription_preferences_by_category
        ON subscription_preferences (workspace_id, category, channel, subscribed, user_id);
    `,
  },
  {
    // Segments (store/segment-sql.ts): an action filter groups one event name's events in a time
    // window by user. With the user in the index that is an index-only range scan; the index
    // replaces migration 10's (same name, same leading columns), so writes keep their count of
    // indexes. Members page in the primary key's (workspace_id, id) order.
    version: 17,
    name: 'segments: events by name and time carry their user (index-only action filters)',
    sql: `
      DROP INDEX events_by_name_time;
      CREATE INDEX events_by_name_time ON events (workspace_id, name, event_time, user_id);
    `,
  },
  {
    // store/session-repo.ts: kept here so that every process on the store knows them.
    version: 18,
    name: 'dashboard sessions (hashed token, workspace, CSRF token, expiry)',
    sql: `
      CREATE TABLE dashboard_sessions (
        token_hash TEXT PRIMARY KEY,
        workspace_id TEXT,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);
      CREATE INDEX dashboard_sessions_by_workspace ON dashboard_sessions (workspace_id);
    `,
  },
  {
    // Migration 10 built `events_by_workspace_time` for a workspace's newest events; nothing
    // reads it (the Live page follows the log and the outcomes, a profile its user's events), and
    // every event paid for it: an insert at a random place in a tree keyed by event time and
    // 35 B of disk per event (docs/benchmarks.md, 2026-12-04 15:20).
    version: 19,
    name: 'events: the unread workspace-and-time index dropped',
    sql: `DROP INDEX IF EXISTS events_by_workspace_time;`,
  },
  {
    // store/custom-segment-repo.ts: the segments of /v3/custom-segments. Names and definitions are
    // each unique in a workspace (the definition by the hash of its identity, which stays short
    // whatever the filters). A workspace holds some thousands at most: its list is sorted in full.
    version: 20,
    name: 'custom segments (filter segments: name, filters, definition hash, description)',
    sql: `
      CREATE TABLE custom_segments (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        source TEXT NOT NULL,
        included_filters TEXT NOT NULL,
        definition_hash TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT,
        archived_at INTEGER,
        PRIMARY KEY (workspace_id, id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX custom_segments_by_name ON custom_segments (workspace_id, name);
      CREATE UNIQUE INDEX custom_segments_by_definition
        ON custom_segments (workspace_id, definition_hash);
    `,
  },
  {
    // store/refusal-repo.ts: refused Data API records, counted by the HTTP layer (batched, a
    // write a second at most per process: http/refusals.ts) where the log counts the accepted.
    version: 21,
    name: "refused records per workspace, minute and API (the dashboard's workspace page)",
    sql: `
      CREATE TABLE refused_minutes (
        workspace_id TEXT NOT NULL,
        minute INTEGER NOT NULL,
        api TEXT NOT NULL,
        records INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, minute, api)
      ) WITHOUT ROWID;
      CREATE INDEX refused_minutes_by_minute ON refused_minutes (minute);
    `,
  },
  {
    // The Data API's subscription attributes are the email preference records from now on
    // (profile/subscriptions.ts LINKED_ATTRIBUTES): values stored as attributes before become
    // records (an unsubscribe on either side wins; categories the workspace defines only), and
    // leave the attributes.
    version: 22,
    name: 'subscription attributes become preference records (moe_unsubscribe, …)',
    sql: `
      CREATE TEMP TABLE linked_users AS
        SELECT workspace_id, id, attributes, updated_at FROM users
        WHERE (instr(attributes, '"moe_unsubscribe"') > 0
            OR instr(attributes, '"moe_email_optin_status"') > 0
            OR instr(attributes, '"moe_em_unsub_categories"') > 0)
          AND (json_type(attributes, '$.moe_unsubscribe') IS NOT NULL
            OR json_type(attributes, '$.moe_email_optin_status') IS NOT NULL
            OR json_type(attributes, '$.moe_em_unsub_categories') IS NOT NULL);
      INSERT INTO subscription_status
        (workspace_id, user_id, channel, unsubscribed_all, opt_in_status, updated_at)
      SELECT workspace_id, id, 'email',
        coalesce(json_type(attributes, '$.moe_unsubscribe') = 'true'
          OR lower(json_extract(attributes, '$.moe_unsubscribe')) = 'true', 0),
        CASE WHEN upper(json_extract(attributes, '$.moe_email_optin_status'))
          IN ('DOUBLE_OPTED_IN', 'OPTED_OUT', 'OPT_IN_PENDING')
          THEN upper(json_extract(attributes, '$.moe_email_optin_status')) END,
        updated_at
      FROM linked_users WHERE true
      ON CONFLICT (workspace_id, user_id, channel) DO UPDATE SET
        unsubscribed_all = max(unsubscribed_all, excluded.unsubscribed_all),
        opt_in_status = coalesce(opt_in_status, excluded.opt_in_status);
      INSERT INTO subscription_preferences
        (workspace_id, user_id, channel, category, subscribed, updated_at)
      SELECT u.workspace_id, u.id, 'email', c.name, 0, u.updated_at
      FROM linked_users u, json_each(u.attributes, '$.moe_em_unsub_categories') j
      JOIN subscription_categories c ON c.workspace_id = u.workspace_id AND c.name = j.value
      WHERE true
      ON CONFLICT (workspace_id, user_id, channel, category) DO NOTHING;
      UPDATE users SET attributes = json_remove(attributes, '$.moe_unsubscribe',
        '$.moe_email_optin_status', '$.moe_em_unsub_categories')
      WHERE (workspace_id, id) IN (SELECT workspace_id, id FROM linked_users);
      DROP TABLE linked_users;
    `,
  },
  {
    // The Inform family (families/inform): alert definitions by their four names, the outbox of
    // every message (newest first per workspace, or per user), and the transaction-id claims of
    // its idempotency window (pruned by time). store/alert-repo.ts, store/outbox-repo.ts.
    version: 23,
    name: 'inform alerts, the outbox and its transaction claims',
    sql: `
      CREATE TABLE inform_alerts (
        workspace_id TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        test_alert_id TEXT NOT NULL,
        reference_name TEXT NOT NULL,
        test_reference_name TEXT,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, alert_id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX inform_alerts_by_test_id ON inform_alerts (workspace_id, test_alert_id);
      CREATE UNIQUE INDEX inform_alerts_by_name ON inform_alerts (workspace_id, reference_name);
      CREATE UNIQUE INDEX inform_alerts_by_test_name
        ON inform_alerts (workspace_id, test_reference_name);
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        workspace_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        customer_id TEXT,
        recipient TEXT NOT NULL,
        platform TEXT,
        subject TEXT,
        body TEXT NOT NULL,
        payload TEXT NOT NULL,
        template TEXT NOT NULL,
        template_version INTEGER NOT NULL,
        transaction_id TEXT,
        request_id TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        attempts INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX outbox_by_workspace ON outbox (workspace_id, seq);
      CREATE INDEX outbox_by_customer ON outbox (workspace_id, customer_id, seq);
      CREATE TABLE outbox_claims (
        workspace_id TEXT NOT NULL,
        claim_key TEXT NOT NULL,
        claimed_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, claim_key)
      ) WITHOUT ROWID;
      CREATE INDEX outbox_claims_by_time ON outbox_claims (workspace_id, claimed_at);
    `,
  },
  {
    // Delivery (delivery/, docs/outbox.md): a message's next attempt (due_at, also its lease while
    // an attempt is in flight) and its rev — its position on the tail, new on each change, drawn
    // from one counter (outbox_revs) so that the tail shows status changes. Existing messages keep
    // their seq as rev and were never to be delivered (record mode).
    version: 25,
    name: 'outbox delivery: due times, revs and the rev counter',
    sql: `
      ALTER TABLE outbox ADD COLUMN due_at INTEGER;
      ALTER TABLE outbox ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE outbox ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
      UPDATE outbox SET rev = seq, updated_at = created_at;
      CREATE INDEX outbox_by_rev ON outbox (workspace_id, rev);
      CREATE INDEX outbox_due ON outbox (due_at) WHERE due_at IS NOT NULL;
      CREATE INDEX outbox_by_recipient ON outbox (workspace_id, recipient);
      CREATE TABLE outbox_revs (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        value INTEGER NOT NULL
      );
      INSERT INTO outbox_revs (id, value) SELECT 1, coalesce(max(seq), 0) FROM outbox;
    `,
  },
  {
    // List segments (store/segment-list-repo.ts): file segments and cohorts beside their
    // custom_segments row, their members (gone with the user row, and with the segment), and the
    // durable import jobs of file segments (claimed under a lease; the due index finds the next).
    version: 26,
    name: 'list segments: file segments and cohorts, their members and import jobs',
    sql: `
      CREATE TABLE segment_lists (
        workspace_id TEXT NOT NULL,
        segment_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        partner TEXT,
        external_id TEXT,
        expires_at INTEGER,
        PRIMARY KEY (workspace_id, segment_id),
        FOREIGN KEY (workspace_id, segment_id) REFERENCES custom_segments (workspace_id, id)
          ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX segment_lists_by_cohort
        ON segment_lists (workspace_id, partner, external_id);
      CREATE INDEX segment_lists_by_expiry ON segment_lists (expires_at);
      CREATE TABLE segment_members (
        workspace_id TEXT NOT NULL,
        segment_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, user_id, segment_id),
        FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE,
        FOREIGN KEY (workspace_id, segment_id) REFERENCES custom_segments (workspace_id, id)
          ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX segment_members_by_segment
        ON segment_members (workspace_id, segment_id, user_id);
      CREATE TABLE segment_imports (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        segment_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        attribute_name TEXT NOT NULL,
        attribute_type TEXT NOT NULL,
        file_url TEXT NOT NULL,
        callback_url TEXT,
        emails TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        result_status INTEGER,
        error_message TEXT,
        values_found INTEGER NOT NULL,
        values_processed INTEGER NOT NULL,
        user_count INTEGER NOT NULL,
        unmatched INTEGER NOT NULL,
        ambiguous INTEGER NOT NULL,
        callback_attempts INTEGER NOT NULL,
        callback_state TEXT NOT NULL,
        PRIMARY KEY (workspace_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX segment_imports_due ON segment_imports (state, next_attempt_at);
      CREATE INDEX segment_imports_by_segment
        ON segment_imports (workspace_id, segment_id, created_at);
      CREATE INDEX segment_imports_by_finish ON segment_imports (workspace_id, finished_at);
    `,
  },
  {
    // The Push API (families/push, store/push-repo.ts): campaigns by name, and their sends — the
    // request, the next occurrence's time, the position within the occurrence being expanded and
    // the lease of the process expanding it (the due index finds the next to run).
    version: 28,
    name: 'push campaigns and their scheduled sends',
    sql: `
      CREATE TABLE push_campaigns (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        id TEXT NOT NULL,
        audience TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, name)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX push_campaigns_by_id ON push_campaigns (workspace_id, id);
      CREATE TABLE push_runs (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        request TEXT NOT NULL,
        next_at INTEGER,
        occurrence INTEGER NOT NULL,
        cursor TEXT,
        lease_until INTEGER,
        messages INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX push_runs_due ON push_runs (next_at) WHERE next_at IS NOT NULL;
      CREATE INDEX push_runs_by_time ON push_runs (workspace_id, created_at);
    `,
  },
  {
    // Live Activities (store/live-activity-repo.ts): broadcast campaigns by id (names unique),
    // and the instances started for them (ids unique in the workspace), each with its state,
    // dismissal time and last request; an instance's change and its outbox message are written
    // in one transaction.
    version: 29,
    name: 'live-activity campaigns and instances',
    sql: `
      CREATE TABLE live_activity_campaigns (
        workspace_id TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, campaign_id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX live_activity_campaigns_by_name
        ON live_activity_campaigns (workspace_id, name);
      CREATE TABLE live_activity_instances (
        workspace_id TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        dismissal_at INTEGER,
        last_request TEXT NOT NULL,
        changes INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, instance_id)
      ) WITHOUT ROWID;
      CREATE INDEX live_activity_instances_by_campaign
        ON live_activity_instances (workspace_id, campaign_id, started_at);
    `,
  },
  {
    // Merges (spec §7.7, §6.2) move the merged user's list memberships to the retained user: the
    // lists each moved and whether the retained user gained each, so that an undo puts them back
    // (store/segment-list-repo.ts MembershipChange).
    version: 30,
    name: 'merge memberships: the list memberships each merge moved',
    sql: `
      CREATE TABLE merge_memberships (
        workspace_id TEXT NOT NULL,
        merge_id INTEGER NOT NULL,
        segment_id TEXT NOT NULL,
        gained INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, merge_id, segment_id),
        FOREIGN KEY (workspace_id, segment_id) REFERENCES custom_segments (workspace_id, id)
          ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE INDEX merge_memberships_by_segment ON merge_memberships (workspace_id, segment_id);
    `,
  },
  {
    // Cards (store/card-repo.ts): card campaigns by id (names unique), and each user's inbox — one
    // row per user and card (a campaign's card on one platform), with its rendered content, its
    // deletion and the user's activity; a send's cards and their outbox messages are written in
    // one transaction. An erasure or a deletion removes a user's cards with the user.
    version: 31,
    name: 'card campaigns and the cards of each user',
    sql: `
      CREATE TABLE card_campaigns (
        workspace_id TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, campaign_id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX card_campaigns_by_name ON card_campaigns (workspace_id, name);
      CREATE TABLE cards (
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        card_id TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        platform TEXT NOT NULL,
        category TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        deleted_at INTEGER,
        clicked INTEGER NOT NULL,
        first_seen INTEGER,
        first_delivered INTEGER,
        show_counts TEXT NOT NULL,
        PRIMARY KEY (workspace_id, user_id, card_id)
      ) WITHOUT ROWID;
      `,
  },
  {
    // The outbox by what asked (store/outbox-repo.ts OutboxFilter source, sourceId): a Push
    // campaign's or a live-activity campaign's messages, newest first (the dashboard's links).
    version: 33,
    name: 'the outbox by source',
    sql: `
      CREATE INDEX outbox_by_source ON outbox (workspace_id, source, source_id, seq);
    `,
  },
  {
    // File Imports (store/file-import-repo.ts): import definitions (names unique in a
    // workspace) with their next scheduled run and last API trigger, and one run per file
    // imported: state, counts, times, the import's checkpoint, the lease of the process running
    // it and its claim count (fencing a process whose lease ran out).
    version: 34,
    name: 'file imports and their runs',
    sql: `
      CREATE TABLE file_imports (
        workspace_id TEXT NOT NULL,
        import_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        schedule_type TEXT NOT NULL,
        next_run_at INTEGER,
        last_triggered_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, import_id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX file_imports_by_name ON file_imports (workspace_id, name);
      CREATE INDEX file_imports_by_time ON file_imports (workspace_id, created_at, import_id);
      CREATE INDEX file_imports_due ON file_imports (next_run_at) WHERE next_run_at IS NOT NULL;
      CREATE TABLE file_import_runs (
        workspace_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        import_id TEXT NOT NULL,
        file_name TEXT NOT NULL,
        origin TEXT NOT NULL,
        state TEXT NOT NULL,
        status_msg TEXT NOT NULL,
        scheduled_at INTEGER NOT NULL,
        started_at INTEGER,
        completed_at INTEGER,
        lease_until INTEGER,
        claims INTEGER NOT NULL,
        file_size INTEGER,
        total_rows INTEGER NOT NULL,
        accepted INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        checkpoint TEXT NOT NULL,
        rejects TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, run_id)
      ) WITHOUT ROWID;
      CREATE INDEX file_import_runs_open ON file_import_runs (scheduled_at)
        WHERE state IN ('QUEUED', 'PROCESSING');
      CREATE INDEX file_import_runs_by_import
        ON file_import_runs (workspace_id, import_id, scheduled_at);
      CREATE INDEX file_import_runs_by_time ON file_import_runs (workspace_id, scheduled_at);
      CREATE INDEX file_import_runs_finished ON file_import_runs (scheduled_at)
        WHERE state NOT IN ('QUEUED', 'PROCESSING');
    `,
  },
  {
    // Cards, issue 21 (store/card-repo.ts): each card's impressions (`seen_count`: what
    // `max_times_to_show` counts), and a revision per workspace of its card campaigns, bumped by
    // every write of one (these triggers, whoever writes), so that the processor knows when to
    // read its event-triggered campaigns again. (No INSERT OR IGNORE in them: fired by a
    // campaign's upsert, whose conflict policy then applies, it fails on the existing row.)
    version: 36,
    name: 'card impressions and card campaign revisions',
    sql: `
      ALTER TABLE cards ADD COLUMN seen_count INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE card_campaign_revs (
        workspace_id TEXT NOT NULL PRIMARY KEY,
        rev INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TRIGGER card_campaigns_inserted AFTER INSERT ON card_campaigns BEGIN
        INSERT INTO card_campaign_revs (workspace_id, rev) SELECT NEW.workspace_id, 0
          WHERE NOT EXISTS (SELECT 1 FROM card_campaign_revs WHERE workspace_id = NEW.workspace_id);
        UPDATE card_campaign_revs SET rev = rev + 1 WHERE workspace_id = NEW.workspace_id;
      END;
      CREATE TRIGGER card_campaigns_updated AFTER UPDATE ON card_campaigns BEGIN
        INSERT INTO card_campaign_revs (workspace_id, rev) SELECT NEW.workspace_id, 0
          WHERE NOT EXISTS (SELECT 1 FROM card_campaign_revs WHERE workspace_id = NEW.workspace_id);
        UPDATE card_campaign_revs SET rev = rev + 1 WHERE workspace_id = NEW.workspace_id;
      END;
      CREATE TRIGGER card_campaigns_deleted AFTER DELETE ON card_campaigns BEGIN
        INSERT INTO card_campaign_revs (workspace_id, rev) SELECT OLD.workspace_id, 0
          WHERE NOT EXISTS (SELECT 1 FROM card_campaign_revs WHERE workspace_id = OLD.workspace_id);
        UPDATE card_campaign_revs SET rev = rev + 1 WHERE workspace_id = OLD.workspace_id;
      END;
    `,
  },
  {
    // Issue 18: the events keyed by numbers. Every event named its workspace, user and name as
    // text in the table and its two indexes (~120 B of its ~325); now a user of a workspace is a
    // number (user_nums, assigned when the user's first event is written, deleted with its
    // events) and so is a name of a workspace (event_names), and the indexes hold only those
    // numbers: a number implies its workspace. store/sqlite/events.ts maps them back for every
    // read (docs/benchmarks.md, 2026-12-05 23:05).
    version: 37,
    name: 'events keyed by user and event-name numbers (SQLite)',
    sql: `
      CREATE TABLE user_nums (
        num INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL
      );
      CREATE UNIQUE INDEX user_nums_by_user ON user_nums (workspace_id, user_id);
      CREATE TABLE event_names (
        num INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL
      );
      CREATE UNIQUE INDEX event_names_by_name ON event_names (workspace_id, name);
      INSERT INTO user_nums (workspace_id, user_id)
        SELECT DISTINCT workspace_id, user_id FROM events ORDER BY workspace_id, user_id;
      INSERT INTO event_names (workspace_id, name)
        SELECT DISTINCT workspace_id, name FROM events ORDER BY workspace_id, name;
      CREATE TABLE events_numbered (
        seq INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        user_num INTEGER NOT NULL,
        name_num INTEGER NOT NULL,
        device_id TEXT,
        platform TEXT,
        app_version TEXT,
        event_time INTEGER NOT NULL,
        user_time INTEGER,
        received_at INTEGER NOT NULL,
        request_id TEXT NOT NULL,
        attributes TEXT
      );
      INSERT INTO events_numbered
        SELECT e.seq, e.workspace_id, u.num, n.num, e.device_id, e.platform, e.app_version,
          e.event_time, e.user_time, e.received_at, e.request_id, e.attributes
        FROM events e
        CROSS JOIN user_nums u ON u.workspace_id = e.workspace_id AND u.user_id = e.user_id
        CROSS JOIN event_names n ON n.workspace_id = e.workspace_id AND n.name = e.name
        ORDER BY e.seq;
      DROP TABLE events;
      ALTER TABLE events_numbered RENAME TO events;
      CREATE INDEX events_by_user ON events (user_num, event_time);
      CREATE INDEX events_by_name_time ON events (name_num, event_time, user_num);
    `,
  },
]
