/**
 * Numbered migrations. Each runs in its own transaction together with the `user_version` bump, so
 * a crash mid-migration leaves the database at the previous version, never half-migrated.
 * Times are integer milliseconds (cheap comparisons on the hot auth path); `seq` is a monotonic
 * integer that makes list ordering total even when two rows share a created_at millisecond.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE teams (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE user_teams (
    user_id TEXT NOT NULL REFERENCES users(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    PRIMARY KEY (user_id, team_id)
  );
  CREATE TABLE agents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    capabilities TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
  );
  CREATE TABLE keys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('all_teams', 'team')),
    team_id TEXT REFERENCES teams(id),
    owner_id TEXT REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    masked TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    previous_secret_hash TEXT,
    previous_secret_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    rotated_at INTEGER,
    expires_at INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX keys_previous_secret_hash ON keys(previous_secret_hash);
  CREATE INDEX keys_agent_seq ON keys(agent_id, seq);
  CREATE TABLE idempotency (
    key_hash TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    iv BLOB NOT NULL,
    tag BLOB NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX idempotency_created_at ON idempotency(created_at);
  `,
  // key_count is a count of an agent's live keys: a partial index answers it from the index alone,
  // instead of visiting every key row (revoked ones included) on each create and each agent read.
  `
  CREATE INDEX keys_live_by_agent ON keys(agent_id) WHERE revoked_at IS NULL;
  `,
  // Emails are one identity whatever their case: the filter and uniqueness both ignore it. A view
  // keeps key_count and "deleted agents are invisible" in one place for lists and gets.
  `
  CREATE UNIQUE INDEX users_email_nocase ON users(email COLLATE NOCASE);
  CREATE VIEW live_agents AS
    SELECT agents.*, (SELECT count(*) FROM keys k WHERE k.agent_id = agents.id AND k.revoked_at IS NULL) AS key_count
    FROM agents WHERE deleted_at IS NULL;
  `,
  // The gateway: per-key limits, usage per key and day (requests, tokens, refusals by reason), and
  // which agent (and team) created each object made through the data plane.
  `
  ALTER TABLE keys ADD COLUMN requests_per_minute INTEGER;
  ALTER TABLE keys ADD COLUMN tokens_per_minute INTEGER;
  ALTER TABLE keys ADD COLUMN budget_tokens INTEGER;
  ALTER TABLE keys ADD COLUMN budget_period TEXT CHECK (budget_period IN ('day', 'month'));
  CREATE TABLE usage_daily (
    key_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    day TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, day)
  );
  CREATE INDEX usage_daily_agent_day ON usage_daily(agent_id, day);
  CREATE TABLE refusals_daily (
    key_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, day, reason)
  );
  CREATE INDEX refusals_daily_agent_day ON refusals_daily(agent_id, day);
  CREATE TABLE owned_objects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    team_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  );
  `,
  // Tokens the gateway estimated because Writer reported none (see server/dataplane/usage.ts).
  `
  ALTER TABLE usage_daily ADD COLUMN estimated_tokens INTEGER NOT NULL DEFAULT 0;
  `,
  // Accountable administration: admin tokens with roles, the audit chain, console sessions any
  // replica can read, and the stack that manages each agent and key.
  `
  CREATE TABLE admin_tokens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('org_admin', 'team_admin', 'viewer')),
    team_id TEXT REFERENCES teams(id),
    masked TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    actor TEXT,
    source TEXT NOT NULL,
    request_id TEXT NOT NULL,
    remote_address TEXT NOT NULL,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id TEXT,
    changes TEXT NOT NULL,
    outcome TEXT NOT NULL,
    pulumi TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_log_object ON audit_log(object_id, seq);
  CREATE INDEX audit_log_at ON audit_log(at);
  CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY,
    token_id TEXT NOT NULL,
    flash TEXT,
    expires_at INTEGER NOT NULL
  );
  ALTER TABLE agents ADD COLUMN managed_project TEXT;
  ALTER TABLE agents ADD COLUMN managed_stack TEXT;
  ALTER TABLE agents ADD COLUMN managed_urn TEXT;
  ALTER TABLE keys ADD COLUMN managed_project TEXT;
  ALTER TABLE keys ADD COLUMN managed_stack TEXT;
  ALTER TABLE keys ADD COLUMN managed_urn TEXT;
  DROP VIEW live_agents;
  CREATE VIEW live_agents AS
    SELECT agents.*, (SELECT count(*) FROM keys k WHERE k.agent_id = agents.id AND k.revoked_at IS NULL) AS key_count
    FROM agents WHERE deleted_at IS NULL;
  `,
];

/** The user_version of a fully migrated database. */
export const SCHEMA_VERSION = MIGRATIONS.length;
