// Tests of the configuration loader, and of docs/config.md against SETTINGS in both directions (the
// way Fastify tests its error catalogue against its docs).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ConfigError, SETTINGS, loadConfig } from './config.js'

type SettingName = keyof typeof SETTINGS

const NAMES = Object.keys(SETTINGS) as SettingName[] // the keys of a const object literal

type DocRow = { variable: string; defaultCell: string; allowed: string; meaning: string }

/** The rows of the settings table in docs/config.md, cells trimmed and unwrapped. */
function documentedSettings(): DocRow[] {
  const text = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8')
  const start = text.indexOf('## Settings')
  assert.notEqual(start, -1, 'docs/config.md has a "## Settings" section')
  const end = text.indexOf('\n## ', start + 1)
  const section = text.slice(start, end === -1 ? undefined : end)
  const rows: DocRow[] = []
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim())
    // '| a | b | c | d |' splits into ['', a, b, c, d, '']
    const [, variable, defaultCell, allowed, meaning] = cells
    if (cells.length !== 6 || variable === undefined || !/^`[A-Z_]+`$/.test(variable)) continue
    rows.push({
      variable: variable.slice(1, -1),
      defaultCell: defaultCell ?? '',
      allowed: allowed ?? '',
      meaning: meaning ?? '',
    })
  }
  return rows
}

/** How docs/config.md writes a default: in backticks, or "(unset)" when there is none. */
function documentedDefault(value: string | number | boolean | undefined): string {
  return value === undefined ? '(unset)' : `\`${String(value)}\``
}

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env)
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    return err.problems
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`)
}

describe('docs/config.md', () => {
  const rows = documentedSettings()

  it('documents every setting once, with the default the code uses', () => {
    for (const name of NAMES) {
      const matching = rows.filter((r) => r.variable === name)
      assert.equal(matching.length, 1, `${name} should be documented exactly once`)
      assert.equal(
        matching[0]?.defaultCell,
        documentedDefault(SETTINGS[name].default),
        `documented default of ${name}`,
      )
      assert.notEqual(matching[0]?.meaning, '', `${name} has a meaning`)
    }
  })

  it('documents no variable that does not exist', () => {
    assert.ok(rows.length > 0, 'the settings table was found')
    for (const row of rows) {
      assert.ok(row.variable in SETTINGS, `${row.variable} is documented but not in SETTINGS`)
    }
  })

  it('gives ranges of whole numbers that the parsers enforce', () => {
    // The whole-number settings, found by what their parsers answer to a fraction.
    const wholeNumbers = Object.keys(SETTINGS).filter((name) => {
      try {
        loadConfig({ [name]: '1.5' })
        return false
      } catch (err) {
        return err instanceof ConfigError && err.problems.some((p) => p.includes('whole number'))
      }
    })
    assert.ok(wholeNumbers.includes('PORT'), 'the probe finds the whole-number settings')
    const checked: string[] = []
    for (const row of rows) {
      const range = /^whole number `(\d+)`–`(\d+)`$/.exec(row.allowed)
      if (range === null) continue
      const name = row.variable as SettingName // checked against SETTINGS by the test above
      const [min, max] = [Number(range[1]), Number(range[2])]
      assert.deepEqual(problemsOf({ [name]: String(min - 1) }).length, 1, `${name} below ${min}`)
      assert.deepEqual(problemsOf({ [name]: String(max + 1) }).length, 1, `${name} above ${max}`)
      assert.doesNotThrow(() => loadConfig({ [name]: String(min) }), `${name}=${min}`)
      assert.doesNotThrow(() => loadConfig({ [name]: String(max) }), `${name}=${max}`)
      checked.push(name)
    }
    assert.deepEqual(
      checked.sort(),
      wholeNumbers.sort(),
      'every whole-number setting documents its range',
    )
  })

  it('lists values of enumerated settings that the parsers accept', () => {
    const enumerated = [
      'INLET_DURABILITY',
      'INLET_LOG_LEVEL',
      'INLET_PROCESSOR',
      'INLET_RATE_LIMITS',
      'INLET_DASHBOARD_SECURE_COOKIE',
      'INLET_SEGMENT_FETCH_PRIVATE',
    ]
    for (const name of enumerated) {
      const row = rows.find((r) => r.variable === name)
      const values = [...(row?.allowed ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '')
      assert.ok(values.length >= 2, `${name} lists its values`)
      for (const value of values) {
        assert.doesNotThrow(() => loadConfig({ [name]: value }), `${name}=${value}`)
      }
    }
  })

  it('explains both durability modes and group commit', () => {
    const text = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8')
    assert.match(text, /^## Durability: fsync vs os$/m)
    assert.match(text, /power loss/)
    assert.match(text, /process crash/)
    assert.match(text, /[Gg]roup commit/)
  })
})

describe('loadConfig', () => {
  it('fills every default from an empty environment', () => {
    const config = loadConfig({})
    // Every default written out; the next case's expected config is alike in shape, other values.
    assert.deepEqual(config, {
      role: 'all',
      host: '127.0.0.1',
      port: 8080,
      dataDir: './data',
      databaseUrl: undefined,
      databasePoolSize: 10,
      databaseConnectTimeoutMs: 10_000,
      databaseStatementTimeoutMs: 120_000,
      databaseIdleInTransactionTimeoutMs: 60_000,
      durability: 'fsync',
      logWriter: 'worker',
      outboxWriter: 'worker',
      storeCheckpointer: 'worker',
      rawIngest: true,
      logLevel: 'info',
      bodyLimitBytes: 128 * 1024,
      bulkBodyLimitBytes: 100 * 1024,
      processor: {
        enabled: true,
        batchSize: 1000,
        pollMs: 200,
        maxAttempts: 5,
        thread: 'worker',
        maxDelayMs: 20,
        leaseMs: 15_000,
        nice: 10,
      },
      eventRetentionDays: 0,
      logRetentionSeconds: 86_400,
      deleteBufferSeconds: 86_400,
      shutdownTimeoutMs: 10_000,
      delivery: { leaseMs: 60_000, maxAttempts: 10 },
      fileImports: { leaseMs: 60_000 },
      bootstrap: { workspaceName: 'Default workspace' },
      rateLimits: true,
      adminToken: undefined,
      dashboardSecureCookie: false,
      secretKey: undefined,
      previousSecretKey: undefined,
      linkTokenTtlDays: 90,
      segmentFiles: {
        fileDir: undefined,
        allowPrivate: false,
        fetchAttempts: 4,
        callbackAttempts: 5,
      },
      authFailures: { perMinute: 30, blockSeconds: 60 },
      shed: { lagRecords: 2_000_000, rssMb: 1_024, retryAfterSeconds: 5 },
      http: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        maxHeaderBytes: 16_384,
        keepAliveTimeoutMs: 72_000,
      },
    })
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.processor))
  })

  it('reads each variable into its typed field', () => {
    const config = loadConfig({
      INLET_ROLE: 'api',
      HOST: '0.0.0.0',
      PORT: '0',
      INLET_DATA_DIR: '/var/lib/inlet',
      DATABASE_URL: 'postgres://inlet:secret@db.internal:5432/inlet',
      INLET_DATABASE_POOL_SIZE: '4',
      INLET_DATABASE_CONNECT_TIMEOUT_MS: '0',
      INLET_DATABASE_STATEMENT_TIMEOUT_MS: '250',
      INLET_DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000',
      INLET_DURABILITY: 'os',
      INLET_LOG_WRITER: 'inline',
      INLET_OUTBOX_WRITER: 'inline',
      INLET_STORE_CHECKPOINTER: 'inline',
      INLET_RAW_INGEST: 'off',
      INLET_LOG_LEVEL: 'silent',
      INLET_BODY_LIMIT_BYTES: '2048',
      INLET_BULK_BODY_LIMIT_BYTES: '4096',
      INLET_PROCESSOR: 'off',
      INLET_PROCESSOR_BATCH_SIZE: '10',
      INLET_PROCESSOR_POLL_MS: '25',
      INLET_PROCESSOR_MAX_ATTEMPTS: '2',
      INLET_PROCESSOR_THREAD: 'inline',
      INLET_PROCESSOR_MAX_DELAY_MS: '20',
      INLET_PROCESSOR_LEASE_MS: '2000',
      INLET_PROCESSOR_NICE: '0',
      INLET_EVENT_RETENTION_DAYS: '400',
      INLET_LOG_RETENTION_SECONDS: '0',
      INLET_DELETE_BUFFER_SECONDS: '0',
      INLET_SHUTDOWN_TIMEOUT_MS: '500',
      INLET_DELIVERY_LEASE_SECONDS: '5',
      INLET_DELIVERY_MAX_ATTEMPTS: '3',
      INLET_FILE_IMPORT_LEASE_SECONDS: '2',
      INLET_WORKSPACE_ID: 'ABCD1234',
      INLET_DATA_API_KEY: 'secret-key-123',
      INLET_WORKSPACE_NAME: 'Shop',
      INLET_RATE_LIMITS: 'off',
      INLET_DASHBOARD_SECURE_COOKIE: 'yes',
      INLET_ADMIN_TOKEN: 'admin-token-0123456789',
      INLET_SECRET_KEY: 'server-secret-0123456789abcdef0123456789',
      INLET_PREVIOUS_SECRET_KEY: 'old-server-secret-0123456789abcdef01234',
      INLET_LINK_TOKEN_TTL_DAYS: '7',
      INLET_SEGMENT_FILE_DIR: '/srv/segment-files',
      INLET_SEGMENT_FETCH_PRIVATE: 'yes',
      INLET_SEGMENT_FETCH_ATTEMPTS: '2',
      INLET_SEGMENT_CALLBACK_ATTEMPTS: '9',
      INLET_AUTH_FAILURES_PER_MINUTE: '0',
      INLET_AUTH_BLOCK_SECONDS: '5',
      INLET_SHED_LAG_RECORDS: '10',
      INLET_SHED_RSS_MB: '0',
      INLET_SHED_RETRY_AFTER_SECONDS: '2',
      INLET_HEADERS_TIMEOUT_MS: '2000',
      INLET_REQUEST_TIMEOUT_MS: '3000',
      INLET_MAX_HEADER_BYTES: '4096',
      INLET_KEEP_ALIVE_TIMEOUT_MS: '5000',
    })
    // Written out in full, not derived from the defaults above: every field must be seen to change.
    assert.deepEqual(config, {
      role: 'api',
      host: '0.0.0.0',
      port: 0,
      dataDir: '/var/lib/inlet',
      databaseUrl: 'postgres://inlet:secret@db.internal:5432/inlet',
      databasePoolSize: 4,
      databaseConnectTimeoutMs: 0,
      databaseStatementTimeoutMs: 250,
      databaseIdleInTransactionTimeoutMs: 1000,
      durability: 'os',
      logWriter: 'inline',
      outboxWriter: 'inline',
      storeCheckpointer: 'inline',
      rawIngest: false,
      logLevel: 'silent',
      bodyLimitBytes: 2048,
      bulkBodyLimitBytes: 4096,
      processor: {
        enabled: false,
        batchSize: 10,
        pollMs: 25,
        maxAttempts: 2,
        thread: 'inline',
        maxDelayMs: 20,
        leaseMs: 2000,
        nice: 0,
      },
      eventRetentionDays: 400,
      logRetentionSeconds: 0,
      deleteBufferSeconds: 0,
      shutdownTimeoutMs: 500,
      delivery: { leaseMs: 5_000, maxAttempts: 3 },
      fileImports: { leaseMs: 2_000 },
      bootstrap: { workspaceId: 'ABCD1234', dataApiKey: 'secret-key-123', workspaceName: 'Shop' },
      rateLimits: false,
      adminToken: 'admin-token-0123456789',
      dashboardSecureCookie: true,
      secretKey: 'server-secret-0123456789abcdef0123456789',
      previousSecretKey: 'old-server-secret-0123456789abcdef01234',
      linkTokenTtlDays: 7,
      segmentFiles: {
        fileDir: '/srv/segment-files',
        allowPrivate: true,
        fetchAttempts: 2,
        callbackAttempts: 9,
      },
      authFailures: { perMinute: 0, blockSeconds: 5 },
      shed: { lagRecords: 10, rssMb: 0, retryAfterSeconds: 2 },
      http: {
        headersTimeoutMs: 2000,
        requestTimeoutMs: 3000,
        maxHeaderBytes: 4096,
        keepAliveTimeoutMs: 5000,
      },
    })
  })

  it('runs no processor in the api role, and refuses a processor role without one', () => {
    assert.equal(loadConfig({ INLET_ROLE: 'api' }).processor.enabled, false)
    assert.equal(loadConfig({ INLET_ROLE: 'processor' }).processor.enabled, true)
    assert.equal(loadConfig({ INLET_ROLE: 'all' }).processor.enabled, true)
    assert.deepEqual(problemsOf({ INLET_ROLE: 'processor', INLET_PROCESSOR: 'off' }), [
      'INLET_ROLE=processor cannot run with INLET_PROCESSOR=false',
    ])
  })

  it('ignores variables it does not own', () => {
    assert.equal(loadConfig({ PATH: '/bin', INLET_UNKNOWN: 'x' }).port, 8080)
  })

  it('accepts each spelling of a boolean', () => {
    for (const raw of ['true', '1', 'on', 'yes']) {
      assert.equal(loadConfig({ INLET_PROCESSOR: raw }).processor.enabled, true, raw)
    }
    for (const raw of ['false', '0', 'off', 'no']) {
      assert.equal(loadConfig({ INLET_PROCESSOR: raw }).processor.enabled, false, raw)
    }
  })

  // One bad value per setting; each must be rejected with a problem that names the variable.
  const BAD: Record<SettingName, readonly string[]> = {
    INLET_ROLE: ['both', 'API', ''],
    HOST: [''],
    PORT: ['eighty', '65536', '-1', '80.5', ''],
    INLET_DATA_DIR: [''],
    DATABASE_URL: ['', 'mysql://localhost/inlet', '/var/run/postgresql', 'postgres://has space'],
    INLET_DATABASE_POOL_SIZE: ['0', '1001', 'many'],
    INLET_DATABASE_CONNECT_TIMEOUT_MS: ['-1', '600001', 'soon'],
    INLET_DATABASE_STATEMENT_TIMEOUT_MS: ['-1', '86400001', '1.5'],
    INLET_DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: ['-1', '86400001', 'never'],
    INLET_DURABILITY: ['sometimes', 'FSYNC', ''],
    INLET_LOG_WRITER: ['thread', 'Worker', ''],
    INLET_OUTBOX_WRITER: ['thread', 'INLINE', ''],
    INLET_STORE_CHECKPOINTER: ['thread', 'Worker', ''],
    INLET_RAW_INGEST: ['maybe', 'ON', ''],
    INLET_LOG_LEVEL: ['verbose', 'INFO'],
    INLET_BODY_LIMIT_BYTES: ['1023', 'lots'],
    INLET_BULK_BODY_LIMIT_BYTES: ['0', String(64 * 1024 * 1024 + 1)],
    INLET_PROCESSOR: ['maybe', 'TRUE', ''],
    INLET_PROCESSOR_BATCH_SIZE: ['0', '100001'],
    INLET_PROCESSOR_POLL_MS: ['0', 'fast'],
    INLET_PROCESSOR_MAX_ATTEMPTS: ['0', '101'],
    INLET_PROCESSOR_THREAD: ['thread', 'WORKER', ''],
    INLET_PROCESSOR_MAX_DELAY_MS: ['-1', '10001', 'soon'],
    INLET_PROCESSOR_LEASE_MS: ['499', '600001', 'long'],
    INLET_PROCESSOR_NICE: ['-1', '20', 'low'],
    INLET_EVENT_RETENTION_DAYS: ['-1', '36501', 'a year'],
    INLET_LOG_RETENTION_SECONDS: ['-1', '1.5'],
    INLET_DELETE_BUFFER_SECONDS: ['-5', 'a day'],
    INLET_SHUTDOWN_TIMEOUT_MS: ['600001', 'soon'],
    INLET_DELIVERY_LEASE_SECONDS: ['0', '3601', 'long'],
    INLET_DELIVERY_MAX_ATTEMPTS: ['0', '101', 'many'],
    INLET_FILE_IMPORT_LEASE_SECONDS: ['0', '3601', 'long'],
    INLET_WORKSPACE_ID: ['abcd1234', 'ABC', 'ABCD-1234', ''],
    INLET_DATA_API_KEY: ['short', 'has a space', ''],
    INLET_WORKSPACE_NAME: [''],
    INLET_RATE_LIMITS: ['sometimes', 'OFF', ''],
    INLET_DASHBOARD_SECURE_COOKIE: ['always', 'TRUE', ''],
    INLET_ADMIN_TOKEN: ['short', 'has a space in it ok', ''],
    INLET_SECRET_KEY: ['too-short-a-secret', 'a secret with spaces that is long enough', ''],
    INLET_PREVIOUS_SECRET_KEY: ['too-short-a-secret', 'a secret with spaces that is long enough'],
    INLET_LINK_TOKEN_TTL_DAYS: ['0', '3651', 'a month'],
    INLET_SEGMENT_FILE_DIR: [''],
    INLET_SEGMENT_FETCH_PRIVATE: ['perhaps', ''],
    INLET_SEGMENT_FETCH_ATTEMPTS: ['0', '21', 'few'],
    INLET_SEGMENT_CALLBACK_ATTEMPTS: ['0', '21', 'few'],
    INLET_AUTH_FAILURES_PER_MINUTE: ['-1', 'many'],
    INLET_AUTH_BLOCK_SECONDS: ['0', '86401'],
    INLET_SHED_LAG_RECORDS: ['-1', 'lots'],
    INLET_SHED_RSS_MB: ['-1', '1.5'],
    INLET_SHED_RETRY_AFTER_SECONDS: ['0', '3601'],
    INLET_HEADERS_TIMEOUT_MS: ['999', 'slow'],
    INLET_REQUEST_TIMEOUT_MS: ['999', '3600001'],
    INLET_MAX_HEADER_BYTES: ['1023', 'big'],
    INLET_KEEP_ALIVE_TIMEOUT_MS: ['999', 'forever'],
  }

  /** The settings holding a secret: an error names them and never shows their value. */
  const SECRETS: readonly SettingName[] = [
    'DATABASE_URL',
    'INLET_DATA_API_KEY',
    'INLET_ADMIN_TOKEN',
    'INLET_SECRET_KEY',
    'INLET_PREVIOUS_SECRET_KEY',
  ]

  for (const name of NAMES) {
    it(`rejects a bad ${name}, naming it`, () => {
      for (const raw of BAD[name]) {
        const problems = problemsOf({ [name]: raw })
        const shown = SECRETS.includes(name) ? `${name} (value not shown)` : null
        const own = problems.filter(
          (p) => p.startsWith(`${name}=${JSON.stringify(raw)}: `) || p.startsWith(`${shown}: `),
        )
        assert.equal(own.length, 1, `${name}=${JSON.stringify(raw)} gives ${problems.join(' / ')}`)
      }
    })
  }

  it('never shows a secret in an error: names the variable and what is wrong', () => {
    const env = {
      INLET_WORKSPACE_ID: 'ABCD1234',
      INLET_DATA_API_KEY: 'leaked key',
      INLET_ADMIN_TOKEN: 'leaked-token',
      INLET_SECRET_KEY: 'leaked-secret',
      DATABASE_URL: 'mysql://inlet:leaked-password@db.internal/inlet?password=leaked-param',
    }
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError)
        assert.deepEqual(err.problems, [
          // A URL is shown with its password and password parameters masked.
          'DATABASE_URL="mysql://inlet:***@db.internal/inlet?password=***": must be a postgres:// or postgresql:// URL',
          'INLET_DATA_API_KEY (value not shown): must be 8 to 256 characters, no spaces',
          'INLET_ADMIN_TOKEN (value not shown): must be 16 to 512 characters, no spaces',
          'INLET_SECRET_KEY (value not shown): must be 32 to 512 characters, no spaces',
        ])
        assert.doesNotMatch(`${err.message}\n${String(err.stack)}`, /leaked/)
        return true
      },
    )
    // A URL the parser cannot split safely (here a '/' in the password) is not shown at all.
    for (const url of ['postgres://inlet:pa/ss@db/x y', 'postgres://inlet:pass word@db/inlet']) {
      const problems = problemsOf({ DATABASE_URL: url })
      assert.equal(problems.length, 1)
      assert.doesNotMatch(problems[0] ?? '', /pa\/ss|pass|word/, problems[0])
      assert.match(problems[0] ?? '', /^DATABASE_URL[ =]/)
    }
  })

  it('says what a bad value must be', () => {
    assert.deepEqual(problemsOf({ PORT: 'eighty' }), ['PORT="eighty": must be a whole number'])
    assert.deepEqual(problemsOf({ PORT: '70000' }), ['PORT="70000": must be between 0 and 65535'])
    assert.deepEqual(problemsOf({ INLET_DURABILITY: 'sometimes' }), [
      'INLET_DURABILITY="sometimes": must be one of fsync, os',
    ])
    assert.deepEqual(problemsOf({ DATABASE_URL: 'mysql://localhost/inlet' }), [
      'DATABASE_URL="mysql://localhost/inlet": must be a postgres:// or postgresql:// URL',
    ])
  })

  it('reports every problem together in one ConfigError', () => {
    const env = { PORT: 'x', INLET_DURABILITY: 'never', INLET_PROCESSOR: 'maybe', HOST: '' }
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError)
        assert.equal(err.name, 'ConfigError')
        assert.deepEqual(
          err.problems.map((p) => p.slice(0, p.indexOf('='))),
          ['HOST', 'PORT', 'INLET_DURABILITY', 'INLET_PROCESSOR'],
        )
        for (const p of err.problems) assert.ok(err.message.includes(p), `message lists ${p}`)
        return true
      },
    )
  })

  it('requires the bootstrap workspace id and key together', () => {
    const together = 'INLET_WORKSPACE_ID and INLET_DATA_API_KEY must be set together'
    assert.deepEqual(problemsOf({ INLET_WORKSPACE_ID: 'ABCD1234' }), [together])
    assert.deepEqual(problemsOf({ INLET_DATA_API_KEY: 'secret-key-123' }), [together])
    // A bad id alone is two problems; a bad id with its key is only the bad id.
    const badId = 'INLET_WORKSPACE_ID="bad": must be 4 to 64 upper-case letters or digits'
    assert.deepEqual(problemsOf({ INLET_WORKSPACE_ID: 'bad', PORT: 'x' }), [
      'PORT="x": must be a whole number',
      badId,
      together,
    ])
    assert.deepEqual(
      problemsOf({ INLET_WORKSPACE_ID: 'bad', INLET_DATA_API_KEY: 'secret-key-123' }),
      [badId],
    )
  })
})
