/**
 * The PostgreSQL schema as numbered migrations: the same two lists, with the same versions and
 * names, as the SQLite schema (sqlite/migrations.ts), so that one numbered list describes both
 * dialects (postgres-store.test.ts fails when a migration exists in one dialect only). Both lists
 * live in one database here; `inlet_migrations` records which versions of each list are applied.
 *
 * Dialect choices: times and seqs are `bigint` (ms since the epoch do not fit in `integer`);
 * attribute maps, settings and payloads are `text` holding JSON exactly as written, never `jsonb`,
 * which would reorder keys and change what Get User exports.
 *
 * The DDL here pairs with sqlite/migrations.ts by design (the same tables, in each dialect), and
 * migration 10 repeats migration 1's columns of `events`: migrations are append-only, never shared.
 */
import type { Migration } from '../sqlite/migrations.js'

export type { Migration }

/** The ingest log. `log_counter` hands out seqs (see postgres/log.ts: why not a sequence). */
// Alike sqlite/migrations.ts's lists on purpose: the same tables in each dialect,
// each list self-contained and append-only, so never shared.
export const LOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ingest log',
    sql: `
      CREATE TABLE log (
        seq bigint PRIMARY KEY,
        workspace_id text NOT NULL,
        request_id text NOT NULL,
        idx integer NOT NULL,
        kind text NOT NULL,
        customer_id text,
        received_at bigint NOT NULL,
        payload text NOT NULL
      );
      CREATE TABLE log_counter (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        last_seq bigint NOT NULL
      );
      INSERT INTO log_counter (last_seq) VALUES (0);
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
    // In step with SQLite's list. This store expands a Bulk row into its records on append
    // (postgres/log.ts), so every row here holds one record: the column stays 1.
    sql: `ALTER TABLE log ADD COLUMN records integer NOT NULL DEFAULT 1;`,
  },
  {
    version: 4,
    name: "a workspace's log records newest first (the dashboard's recent requests)",
    sql: `CREATE INDEX log_by_workspace ON log (workspace_id, seq);`,
  },
  {
    // Kept by every append (store/browse.ts acceptedCounts), so that the chart never reads the
    // log. The log before it is counted by record kind, its only hint of the API that sent it
    // (this store logged a Bulk request's records as their own kinds); families/dashboard/meter.ts
    // reads those.
    version: 5,
    name: "accepted records per workspace, minute and sending API (the dashboard's workspace page)",
    sql: `
      CREATE TABLE log_minutes (
        workspace_id text NOT NULL,
        minute bigint NOT NULL,
        api text NOT NULL,
        records bigint NOT NULL,
        PRIMARY KEY (workspace_id, minute, api)
      );
      CREATE INDEX log_minutes_by_minute ON log_minutes (minute);
      INSERT INTO log_minutes (workspace_id, minute, api, records)
        SELECT workspace_id, received_at / 60000, kind, sum(records) FROM log
        GROUP BY workspace_id, received_at / 60000, kind;
    `,
  },
]

/** Workspaces and the profile store, written by the processor. */
export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    // Its `events` columns stand again in migration 10 on purpose: a migration is never edited
    // or shared once released (append-only), so 10 spells out the table it recreates.
    version: 1,
    name: 'workspaces, users, devices, events, outcomes',
    sql: `
      CREATE TABLE workspaces (
        id text PRIMARY KEY,
        name text NOT NULL,
        key_hash text,
        key_salt text,
        state text NOT NULL,
        settings text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE TABLE users (
        workspace_id text NOT NULL,
        id text NOT NULL,
        customer_id text,
        attributes text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, id)
      );
      CREATE UNIQUE INDEX users_by_customer_id ON users (workspace_id, customer_id);
      CREATE TABLE devices (
        workspace_id text NOT NULL,
        device_id text NOT NULL,
        user_id text NOT NULL,
        platform text,
        push_id text,
        attributes text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, device_id)
      );
      CREATE INDEX devices_by_user ON devices (workspace_id, user_id);
      CREATE TABLE events (
        seq bigint PRIMARY KEY,
        workspace_id text NOT NULL,
        user_id text NOT NULL,
        name text NOT NULL,
        device_id text,
        platform text,
        app_version text,
        event_time bigint NOT NULL,
        user_time bigint,
        received_at bigint NOT NULL,
        request_id text NOT NULL,
        attributes text
      );
      CREATE INDEX events_by_user ON events (workspace_id, user_id, event_time);
      CREATE TABLE record_outcomes (
        seq bigint PRIMARY KEY,
        workspace_id text NOT NULL,
        request_id text NOT NULL,
        idx integer NOT NULL,
        kind text NOT NULL,
        outcome text NOT NULL,
        reason text NOT NULL,
        at bigint NOT NULL
      );
      CREATE INDEX record_outcomes_by_request ON record_outcomes (request_id);
      CREATE TABLE processor_state (
        name text PRIMARY KEY,
        value bigint NOT NULL
      );
      INSERT INTO processor_state (name, value) VALUES ('cursor', 0);
    `,
  },
  {
    version: 2,
    name: 'merge log (spec §7.7; undo)',
    sql: `
      CREATE TABLE merges (
        workspace_id text NOT NULL,
        id bigint NOT NULL,
        request_id text NOT NULL,
        retained_user_id text NOT NULL,
        merged_user_id text NOT NULL,
        at bigint NOT NULL,
        before text NOT NULL,
        undone_at bigint,
        PRIMARY KEY (workspace_id, id)
      );
      CREATE INDEX merges_by_retained ON merges (workspace_id, retained_user_id);
      CREATE INDEX merges_by_merged ON merges (workspace_id, merged_user_id);
    `,
  },
  {
    version: 3,
    name: 'rotated-out Data API key with its grace period (workspace governance)',
    sql: `
      ALTER TABLE workspaces ADD COLUMN prev_key_hash text;
      ALTER TABLE workspaces ADD COLUMN prev_key_salt text;
      ALTER TABLE workspaces ADD COLUMN prev_key_expires_at bigint;
    `,
  },
  {
    version: 4,
    name: 'scheduled user deletions (spec §7.8)',
    sql: `
      CREATE TABLE pending_deletions (
        workspace_id text NOT NULL,
        user_id text NOT NULL,
        due_at bigint NOT NULL,
        request_id text NOT NULL,
        seq bigint NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      );
      CREATE INDEX pending_deletions_by_due ON pending_deletions (due_at);
    `,
  },
  {
    version: 5,
    name: 'identity links (spec §6.2 Identity Resolution)',
    sql: `
      CREATE TABLE identities (
        workspace_id text NOT NULL,
        name text NOT NULL,
        value text NOT NULL,
        user_id text NOT NULL,
        PRIMARY KEY (workspace_id, name, value, user_id)
      );
      CREATE INDEX identities_by_user ON identities (workspace_id, user_id);
    `,
  },
  {
    version: 6,
    name: 'GDPR erasures and the suppression list (spec §7.12)',
    // The log is in this database: redactions are part of the batch's transaction.
    sql: `
      CREATE TABLE gdpr_requests (
        workspace_id text NOT NULL,
        request_id text NOT NULL,
        seq bigint NOT NULL,
        received_at bigint NOT NULL,
        done_at bigint NOT NULL,
        counts text NOT NULL,
        PRIMARY KEY (workspace_id, request_id)
      );
      CREATE TABLE suppressions (
        workspace_id text NOT NULL,
        hash text NOT NULL,
        identity_type text NOT NULL,
        request_id text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, hash)
      );
    `,
  },
  {
    version: 7,
    name: 'processor lease and failed attempts (many processors)',
    sql: `
      CREATE TABLE processor_leases (
        name text PRIMARY KEY,
        owner text NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE TABLE processor_failures (
        seq bigint PRIMARY KEY,
        attempts integer NOT NULL,
        last_error text NOT NULL,
        at bigint NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'shared quota counts per workspace, quota and minute (spec §5.1, several processes)',
    sql: `
      CREATE TABLE quota_windows (
        workspace_id text NOT NULL,
        quota text NOT NULL,
        window_start bigint NOT NULL,
        used bigint NOT NULL,
        last_grant bigint NOT NULL,
        PRIMARY KEY (workspace_id, quota, window_start)
      );
      CREATE INDEX quota_windows_by_start ON quota_windows (window_start);
    `,
  },
  {
    // Declarative range partitioning on event_time (ms), one partition per UTC month, named
    // events_yYYYYmMM. postgres/partitions.ts creates the partition of a month before the first
    // event of it is written and drops whole partitions for retention. The primary key must
    // contain the partition key: (seq, event_time), still one row per seq since a seq has one
    // event time. The columns repeat migration 1's on purpose: migrations are append-only.
    version: 10,
    name: 'events by month (PostgreSQL partitions) and dashboard indexes',
    sql: `
      ALTER TABLE events RENAME TO events_unpartitioned;
      ALTER TABLE events_unpartitioned RENAME CONSTRAINT events_pkey TO events_unpartitioned_pkey;
      ALTER INDEX events_by_user RENAME TO events_unpartitioned_by_user;
      CREATE TABLE events (
        seq bigint NOT NULL,
        workspace_id text NOT NULL,
        user_id text NOT NULL,
        name text NOT NULL,
        device_id text,
        platform text,
        app_version text,
        event_time bigint NOT NULL,
        user_time bigint,
        received_at bigint NOT NULL,
        request_id text NOT NULL,
        attributes text,
        PRIMARY KEY (seq, event_time)
      ) PARTITION BY RANGE (event_time);
      CREATE INDEX events_by_user ON events (workspace_id, user_id, event_time);
      CREATE INDEX events_by_workspace_time ON events (workspace_id, event_time);
      CREATE INDEX events_by_name_time ON events (workspace_id, name, event_time);
      DO $$
      DECLARE
        month timestamp;
      BEGIN
        FOR month IN
          SELECT DISTINCT date_trunc('month', to_timestamp(event_time / 1000.0) AT TIME ZONE 'UTC')
          FROM events_unpartitioned
        LOOP
          EXECUTE format(
            'CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)',
            to_char(month, '"events_y"YYYY"m"MM'),
            (extract(epoch FROM month) * 1000)::bigint,
            (extract(epoch FROM month + interval '1 month') * 1000)::bigint);
        END LOOP;
      END $$;
      INSERT INTO events SELECT * FROM events_unpartitioned;
      DROP TABLE events_unpartitioned;
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
        workspace_id text NOT NULL,
        merge_id bigint NOT NULL,
        seq bigint NOT NULL,
        PRIMARY KEY (workspace_id, merge_id, seq)
      );
      `,
  },
  {
    // The windows of several lengths of governance/quotas.ts: the key gains the count's span
    // (window_ms). Every existing count is a fixed minute's (60,000 ms), the column's default.
    version: 12,
    name: 'quota counts keyed by their span too (windows of a minute, an hour, a day; rolling slices)',
    sql: `
      ALTER TABLE quota_windows ADD COLUMN window_ms bigint NOT NULL DEFAULT 60000;
      ALTER TABLE quota_windows DROP CONSTRAINT quota_windows_pkey;
      ALTER TABLE quota_windows ADD PRIMARY KEY (workspace_id, quota, window_ms, window_start);
      DROP INDEX quota_windows_by_start;
      CREATE INDEX quota_windows_by_end ON quota_windows ((window_start + window_ms));
      `,
  },
  {
    version: 13,
    name: 'feature-scoped API keys: push, inform, personalize, reports (docs/auth.md)',
    sql: `
      CREATE TABLE feature_keys (
        workspace_id text NOT NULL,
        feature text NOT NULL,
        key_hash text NOT NULL,
        key_salt text NOT NULL,
        sealed_key text,
        created_at bigint NOT NULL,
        rotated_at bigint,
        prev_key_hash text,
        prev_key_salt text,
        prev_sealed_key text,
        prev_key_expires_at bigint,
        PRIMARY KEY (workspace_id, feature)
      );
    `,
  },
  {
    // The dashboard's user list and searches (store/browse.ts) and its rejected records; text
    // keys byte-wise (COLLATE "C") so that a prefix is a range of the index.
    version: 14,
    name: 'dashboard: users newest first, by email and mobile; outcomes by workspace',
    sql: `
      CREATE INDEX users_by_created ON users (workspace_id, created_at, (id COLLATE "C"));
      CREATE INDEX users_by_customer_c ON users (workspace_id, (customer_id COLLATE "C"));
      CREATE INDEX users_by_email ON users
        (workspace_id, (lower(attributes::json ->> 'u_em') COLLATE "C"), (id COLLATE "C"));
      CREATE INDEX users_by_mobile ON users
        (workspace_id, ((attributes::json ->> 'u_mb') COLLATE "C"), (id COLLATE "C"));
      CREATE INDEX record_outcomes_by_workspace ON record_outcomes (workspace_id, seq);
    `,
  },
  {
    // Subscription categories and preferences (store/consent-repo.ts; families/consent). A
    // user's rows go with its user row (ON DELETE CASCADE: deletions and GDPR erasures; the
    // foreign key also keeps a request's write from outliving a concurrent deletion). The
    // preferences are keyed for a segment's filter: (workspace, category, channel, subscribed).
    version: 16,
    name: 'subscription categories, statuses and preferences (consent)',
    sql: `
      CREATE TABLE subscription_categories (
        workspace_id text NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        active boolean NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, name)
      );
      CREATE TABLE subscription_status (
        workspace_id text NOT NULL,
        user_id text NOT NULL,
        channel text NOT NULL,
        unsubscribed_all boolean NOT NULL,
        opt_in_status text,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, user_id, channel),
        FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
      );
      CREATE TABLE subscription_preferences (
        workspace_id text NOT NULL,
        user_id text NOT NULL,
        channel text NOT NULL,
        category text NOT NULL,
        subscribed boolean NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, user_id, channel, category),
        FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
      );
      CREATE INDEX subscription_preferences_by_category
        ON subscription_preferences (workspace_id, category, channel, subscribed, user_id);
    `,
  },
  {
    // Segments (store/segment-sql.ts): an action filter groups one event name's events in a time
    // window by user, an index-only scan once the index carries the user (it replaces migration
    // 10's, same name and keys, on every partition); member pages walk users in byte order of
    // their ids (COLLATE "C", which the primary key does not give under another collation).
    version: 17,
    name: 'segments: events by name and time carry their user (index-only action filters)',
    sql: `
      DROP INDEX events_by_name_time;
      CREATE INDEX events_by_name_time ON events (workspace_id, name, event_time) INCLUDE (user_id);
      CREATE INDEX users_by_id_c ON users (workspace_id, (id COLLATE "C"));
    `,
  },
  {
    // store/session-repo.ts: kept here so that every process on the store knows them.
    version: 18,
    name: 'dashboard sessions (hashed token, workspace, CSRF token, expiry)',
    sql: `
      CREATE TABLE dashboard_sessions (
        token_hash text PRIMARY KEY,
        workspace_id text,
        csrf text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL
      );
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
        workspace_id text NOT NULL,
        id text NOT NULL,
        name text NOT NULL,
        type text NOT NULL,
        source text NOT NULL,
        included_filters text NOT NULL,
        definition_hash text NOT NULL,
        description text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        updated_by text,
        archived_at bigint,
        PRIMARY KEY (workspace_id, id)
      );
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
        workspace_id text NOT NULL,
        minute bigint NOT NULL,
        api text NOT NULL,
        records bigint NOT NULL,
        PRIMARY KEY (workspace_id, minute, api)
      );
      CREATE INDEX refused_minutes_by_minute ON refused_minutes (minute);
    `,
  },
  {
    // The Data API's subscription attributes are the email preference records from now on
    // (profile/subscriptions.ts LINKED_ATTRIBUTES): values stored as attributes before become
    // records (an unsubscribe on either side wins; categories the workspace defines only), and
    // leave the attributes (the others keep their order).
    version: 22,
    name: 'subscription attributes become preference records (moe_unsubscribe, …)',
    sql: `
      CREATE TEMP TABLE linked_users ON COMMIT DROP AS
        SELECT workspace_id, id, attributes::jsonb AS doc, updated_at FROM users
        WHERE strpos(attributes, '"moe_unsubscribe"') > 0
          OR strpos(attributes, '"moe_email_optin_status"') > 0
          OR strpos(attributes, '"moe_em_unsub_categories"') > 0;
      DELETE FROM linked_users
        WHERE NOT doc ?| ARRAY['moe_unsubscribe', 'moe_email_optin_status',
          'moe_em_unsub_categories'];
      INSERT INTO subscription_status AS s
        (workspace_id, user_id, channel, unsubscribed_all, opt_in_status, updated_at)
      SELECT workspace_id, id, 'email',
        coalesce(lower(doc ->> 'moe_unsubscribe') = 'true', false),
        CASE WHEN upper(doc ->> 'moe_email_optin_status')
          IN ('DOUBLE_OPTED_IN', 'OPTED_OUT', 'OPT_IN_PENDING')
          THEN upper(doc ->> 'moe_email_optin_status') END,
        updated_at
      FROM linked_users
      ON CONFLICT (workspace_id, user_id, channel) DO UPDATE SET
        unsubscribed_all = s.unsubscribed_all OR excluded.unsubscribed_all,
        opt_in_status = coalesce(s.opt_in_status, excluded.opt_in_status);
      INSERT INTO subscription_preferences
        (workspace_id, user_id, channel, category, subscribed, updated_at)
      SELECT u.workspace_id, u.id, 'email', c.name, false, u.updated_at
      FROM linked_users u
      CROSS JOIN LATERAL jsonb_array_elements_text(CASE
        WHEN jsonb_typeof(u.doc -> 'moe_em_unsub_categories') = 'array'
          THEN u.doc -> 'moe_em_unsub_categories'
        WHEN u.doc ? 'moe_em_unsub_categories'
          THEN jsonb_build_array(u.doc -> 'moe_em_unsub_categories')
        ELSE '[]'::jsonb END) AS j(name)
      JOIN subscription_categories c ON c.workspace_id = u.workspace_id AND c.name = j.name
      ON CONFLICT (workspace_id, user_id, channel, category) DO NOTHING;
      UPDATE users SET attributes = coalesce((
        SELECT json_object_agg(e.key, e.value ORDER BY e.n)
        FROM json_each(users.attributes::json) WITH ORDINALITY AS e(key, value, n)
        WHERE e.key NOT IN ('moe_unsubscribe', 'moe_email_optin_status',
          'moe_em_unsub_categories')
      )::text, '{}')
      FROM linked_users l WHERE users.workspace_id = l.workspace_id AND users.id = l.id;
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
        workspace_id text NOT NULL,
        alert_id text NOT NULL,
        test_alert_id text NOT NULL,
        reference_name text NOT NULL,
        test_reference_name text,
        version bigint NOT NULL,
        definition text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, alert_id)
      );
      CREATE UNIQUE INDEX inform_alerts_by_test_id ON inform_alerts (workspace_id, test_alert_id);
      CREATE UNIQUE INDEX inform_alerts_by_name ON inform_alerts (workspace_id, reference_name);
      CREATE UNIQUE INDEX inform_alerts_by_test_name
        ON inform_alerts (workspace_id, test_reference_name);
      CREATE TABLE outbox (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL,
        workspace_id text NOT NULL,
        channel text NOT NULL,
        source text NOT NULL,
        source_id text NOT NULL,
        customer_id text,
        recipient text NOT NULL,
        platform text,
        subject text,
        body text NOT NULL,
        payload text NOT NULL,
        template text NOT NULL,
        template_version bigint NOT NULL,
        transaction_id text,
        request_id text NOT NULL,
        status text NOT NULL,
        reason text,
        attempts integer NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE INDEX outbox_by_workspace ON outbox (workspace_id, seq);
      CREATE INDEX outbox_by_customer ON outbox (workspace_id, customer_id, seq);
      CREATE TABLE outbox_claims (
        workspace_id text NOT NULL,
        claim_key text NOT NULL,
        claimed_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, claim_key)
      );
      CREATE INDEX outbox_claims_by_time ON outbox_claims (workspace_id, claimed_at);
    `,
  },
  {
    // Delivery (delivery/, docs/outbox.md): a message's next attempt (due_at, also its lease while
    // an attempt is in flight) and its rev — its position on the tail, new on each change, drawn
    // from one sequence so that the tail shows status changes. Existing messages keep their seq
    // as rev and were never to be delivered (record mode).
    version: 25,
    name: 'outbox delivery: due times, revs and the rev counter',
    sql: `
      CREATE SEQUENCE outbox_revs;
      SELECT setval('outbox_revs', coalesce((SELECT max(seq) FROM outbox), 0) + 1, false);
      ALTER TABLE outbox ADD COLUMN due_at bigint;
      ALTER TABLE outbox ADD COLUMN rev bigint;
      ALTER TABLE outbox ADD COLUMN updated_at bigint;
      UPDATE outbox SET rev = seq, updated_at = created_at;
      ALTER TABLE outbox ALTER COLUMN rev SET DEFAULT nextval('outbox_revs'),
        ALTER COLUMN rev SET NOT NULL, ALTER COLUMN updated_at SET NOT NULL;
      CREATE INDEX outbox_by_rev ON outbox (workspace_id, rev);
      CREATE INDEX outbox_due ON outbox (due_at) WHERE due_at IS NOT NULL;
      CREATE INDEX outbox_by_recipient ON outbox (workspace_id, recipient);
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
        workspace_id text NOT NULL,
        segment_id text NOT NULL,
        kind text NOT NULL,
        partner text,
        external_id text,
        expires_at bigint,
        PRIMARY KEY (workspace_id, segment_id),
        FOREIGN KEY (workspace_id, segment_id) REFERENCES custom_segments (workspace_id, id)
          ON DELETE CASCADE
      );
      CREATE UNIQUE INDEX segment_lists_by_cohort
        ON segment_lists (workspace_id, partner, external_id);
      CREATE INDEX segment_lists_by_expiry ON segment_lists (expires_at);
      CREATE TABLE segment_members (
        workspace_id text NOT NULL,
        segment_id text NOT NULL,
        user_id text NOT NULL,
        added_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, user_id, segment_id),
        FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE,
        FOREIGN KEY (workspace_id, segment_id) REFERENCES custom_segments (workspace_id, id)
          ON DELETE CASCADE
      );
      CREATE UNIQUE INDEX segment_members_by_segment
        ON segment_members (workspace_id, segment_id, user_id);
      CREATE TABLE segment_imports (
        workspace_id text NOT NULL,
        id text NOT NULL,
        segment_id text NOT NULL,
        operation text NOT NULL,
        attribute_name text NOT NULL,
        attribute_type text NOT NULL,
        file_url text NOT NULL,
        callback_url text,
        emails text NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL,
        next_attempt_at bigint NOT NULL,
        lease_owner text,
        lease_until bigint,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        finished_at bigint,
        result_status integer,
        error_message text,
        values_found bigint NOT NULL,
        values_processed bigint NOT NULL,
        user_count bigint NOT NULL,
        unmatched bigint NOT NULL,
        ambiguous bigint NOT NULL,
        callback_attempts integer NOT NULL,
        callback_state text NOT NULL,
        PRIMARY KEY (workspace_id, id)
      );
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
        workspace_id text NOT NULL,
        name text NOT NULL,
        id text NOT NULL,
        audience text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, name)
      );
      CREATE UNIQUE INDEX push_campaigns_by_id ON push_campaigns (workspace_id, id);
      CREATE TABLE push_runs (
        workspace_id text NOT NULL,
        id text NOT NULL,
        campaign_id text NOT NULL,
        request_id text NOT NULL,
        request text NOT NULL,
        next_at bigint,
        occurrence integer NOT NULL,
        cursor text,
        lease_until bigint,
        messages bigint NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, id)
      );
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
        workspace_id text NOT NULL,
        campaign_id text NOT NULL,
        name text NOT NULL,
        version bigint NOT NULL,
        definition text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, campaign_id)
      );
      CREATE UNIQUE INDEX live_activity_campaigns_by_name
        ON live_activity_campaigns (workspace_id, name);
      CREATE TABLE live_activity_instances (
        workspace_id text NOT NULL,
        instance_id text NOT NULL,
        campaign_id text NOT NULL,
        state text NOT NULL,
        started_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        dismissal_at bigint,
        last_request text NOT NULL,
        changes bigint NOT NULL,
        PRIMARY KEY (workspace_id, instance_id)
      );
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
        workspace_id text NOT NULL,
        merge_id bigint NOT NULL,
        segment_id text NOT NULL,
        gained boolean NOT NULL,
        PRIMARY KEY (workspace_id, merge_id, segment_id),
        FOREIGN KEY (workspace_id, segment_id) REFERENCES custom_segments (workspace_id, id)
          ON DELETE CASCADE
      );
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
        workspace_id text NOT NULL,
        campaign_id text NOT NULL,
        name text NOT NULL,
        version bigint NOT NULL,
        definition text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, campaign_id)
      );
      CREATE UNIQUE INDEX card_campaigns_by_name ON card_campaigns (workspace_id, name);
      CREATE TABLE cards (
        workspace_id text NOT NULL,
        user_id text NOT NULL,
        card_id text NOT NULL,
        campaign_id text NOT NULL,
        platform text NOT NULL,
        category text NOT NULL,
        content text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        deleted_at bigint,
        clicked boolean NOT NULL,
        first_seen bigint,
        first_delivered bigint,
        show_counts text NOT NULL,
        PRIMARY KEY (workspace_id, user_id, card_id)
      );
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
        workspace_id text NOT NULL,
        import_id text NOT NULL,
        name text NOT NULL,
        version bigint NOT NULL,
        definition text NOT NULL,
        schedule_type text NOT NULL,
        next_run_at bigint,
        last_triggered_at bigint,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, import_id)
      );
      CREATE UNIQUE INDEX file_imports_by_name ON file_imports (workspace_id, name);
      CREATE INDEX file_imports_by_time ON file_imports (workspace_id, created_at, import_id);
      CREATE INDEX file_imports_due ON file_imports (next_run_at) WHERE next_run_at IS NOT NULL;
      CREATE TABLE file_import_runs (
        workspace_id text NOT NULL,
        run_id text NOT NULL,
        import_id text NOT NULL,
        file_name text NOT NULL,
        origin text NOT NULL,
        state text NOT NULL,
        status_msg text NOT NULL,
        scheduled_at bigint NOT NULL,
        started_at bigint,
        completed_at bigint,
        lease_until bigint,
        claims bigint NOT NULL,
        file_size bigint,
        total_rows bigint NOT NULL,
        accepted bigint NOT NULL,
        rejected bigint NOT NULL,
        checkpoint text NOT NULL,
        rejects text NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, run_id)
      );
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
    // every write of one (this trigger, whoever writes), so that the processor knows when to read
    // its event-triggered campaigns again.
    version: 36,
    name: 'card impressions and card campaign revisions',
    sql: `
      ALTER TABLE cards ADD COLUMN seen_count bigint NOT NULL DEFAULT 0;
      CREATE TABLE card_campaign_revs (
        workspace_id text NOT NULL PRIMARY KEY,
        rev bigint NOT NULL
      );
      CREATE FUNCTION card_campaigns_rev() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO card_campaign_revs (workspace_id, rev)
          VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.workspace_id ELSE NEW.workspace_id END, 1)
          ON CONFLICT (workspace_id) DO UPDATE SET rev = card_campaign_revs.rev + 1;
        RETURN NULL;
      END $$;
      CREATE TRIGGER card_campaigns_rev AFTER INSERT OR UPDATE OR DELETE ON card_campaigns
        FOR EACH ROW EXECUTE FUNCTION card_campaigns_rev();
    `,
  },
  {
    // SQLite's events went from text keys to numbers in their indexes (its migration 37: the
    // drain after Bulk, issue 18). PostgreSQL keeps its layout: its goals are met on it, and its
    // events are partitioned by month, which a rewrite of every event would have to redo.
    version: 37,
    name: 'events keyed by user and event-name numbers (SQLite)',
    sql: '-- Nothing on PostgreSQL (see above).',
  },
]
