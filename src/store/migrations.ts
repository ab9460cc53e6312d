import { createTokenCipher, TokenDecryptionError, type TokenCipher } from '../auth/crypto.ts';
import { quoteSchema, type Db, type Sql } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Rows the schema change alone cannot carry over (encrypted ones), rewritten after `sql` in the
   * same transaction. `cipher` is undefined when the caller gave no secret key; a step that finds
   * rows it cannot read without one refuses the migration.
   */
  data?: (tx: Sql, context: { cipher: TokenCipher | undefined }) => Promise<void>;
}

/**
 * Before version 4, a host with several instances stored the token of an instance other than its
 * main one as `<instance id> <token>` (the instance's host and port, a space, the token; no host's
 * tokens hold spaces), its refresh token likewise. The instance is a column since.
 */
const LEGACY_INSTANCE_TOKEN = /^((?:[a-z0-9-]+\.)*[a-z0-9-]+(?::\d{1,5})?|\[[0-9a-f:.]+\](?::\d{1,5})?) (\S+)$/i;

async function instancesOutOfTokens(tx: Sql, { cipher }: { cipher: TokenCipher | undefined }): Promise<void> {
  const rows = await tx.query<{ user_id: number; provider: string; token_encrypted: string; refresh_token_encrypted: string | null }>(
    'SELECT user_id, provider, token_encrypted, refresh_token_encrypted FROM host_tokens WHERE instance IS NULL',
  );
  if (rows.length === 0) return;
  if (!cipher) throw new Error('Migration 4 (token instances) reads stored tokens: it needs the secret key (SECRET_KEY).');
  for (const row of rows) {
    const context = `${row.user_id}:${row.provider}`;
    let token: string;
    let refresh: string | null;
    try {
      token = cipher.decrypt(row.token_encrypted, context);
      refresh = row.refresh_token_encrypted === null ? null : cipher.decrypt(row.refresh_token_encrypted, `${context}:refresh`);
    } catch (error) {
      // Written under another SECRET_KEY: unreadable either way, and shown as such until linked again.
      if (error instanceof TokenDecryptionError) continue;
      throw error;
    }
    const legacy = LEGACY_INSTANCE_TOKEN.exec(token);
    if (!legacy) continue;
    const instance = legacy[1]!.toLowerCase();
    const legacyRefresh = refresh === null ? undefined : LEGACY_INSTANCE_TOKEN.exec(refresh);
    const bareRefresh = legacyRefresh && legacyRefresh[1]!.toLowerCase() === instance ? legacyRefresh[2]! : refresh;
    await tx.query('UPDATE host_tokens SET instance = $3, token_encrypted = $4, refresh_token_encrypted = $5 WHERE user_id = $1 AND provider = $2', [
      row.user_id,
      row.provider,
      instance,
      cipher.encrypt(legacy[2]!, context),
      bareRefresh === null ? null : cipher.encrypt(bareRefresh, `${context}:refresh`),
    ]);
  }
}

/** Append only: an applied migration is never edited, a change is a new version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE users (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        github_id   bigint UNIQUE,
        login       text NOT NULL,
        name        text,
        avatar_url  text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      -- Local users (no GitHub account) are found again by login.
      CREATE UNIQUE INDEX users_local_login ON users (login) WHERE github_id IS NULL;

      CREATE TABLE host_tokens (
        user_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        provider         text NOT NULL CHECK (provider IN ('github', 'gitverse')),
        token_encrypted  text NOT NULL,
        login            text,
        scopes           text[] NOT NULL DEFAULT '{}',
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, provider)
      );

      CREATE TABLE sessions (
        id           uuid PRIMARY KEY,
        user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        -- SHA-256 of the cookie's secret; the secret itself is never stored.
        secret_hash  text NOT NULL UNIQUE,
        scopes       text[] NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        revoked_at   timestamptz
      );
      CREATE INDEX sessions_user_id ON sessions (user_id);

      CREATE TABLE installations (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        provider        text NOT NULL CHECK (provider IN ('github', 'gitverse')),
        repo_id         bigint NOT NULL,
        repo_full_name  text NOT NULL,
        is_active       boolean NOT NULL DEFAULT true,
        -- The transaction that last (re)activated the row: lets connect tell, in its single
        -- upsert, whether it activated the row itself or found it already active.
        activated_xact  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        -- Also serves every lookup by user, by (user, provider) and by repo ids.
        UNIQUE (user_id, provider, repo_id)
      );

      CREATE TABLE detections (
        provider     text NOT NULL,
        repo_id      bigint NOT NULL,
        pushed_at    timestamptz NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('frontend', 'backend', 'fullstack', 'monorepo', 'unknown')),
        reason       text NOT NULL,
        detected_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, repo_id)
      );
    `,
  },
  {
    version: 2,
    name: 'origin with the detected kind',
    sql: `
      -- The app builder that made a repository, found in the same analysis as its kind and kept
      -- under the same key. No CHECK on the builder's name: adding a builder to the rules must not
      -- need a schema change (the API validates what it answers).
      ALTER TABLE detections
        ADD COLUMN origin         text,
        ADD COLUMN origin_reason  text;
      -- Rows stored before origins were detected say nothing about them; reading them would answer
      -- "no builder" for every repository. They are a cache: the next listing detects them again.
      DELETE FROM detections;
    `,
  },
  {
    version: 3,
    name: 'host accounts; hosts as data; expiring tokens',
    sql: `
      -- A host is data: adding one needs no schema change.
      ALTER TABLE host_tokens DROP CONSTRAINT IF EXISTS host_tokens_provider_check;
      ALTER TABLE installations DROP CONSTRAINT IF EXISTS installations_provider_check;

      -- Tokens that expire come with the token that renews them (encrypted like the token itself),
      -- and a host with several instances (self-managed ones) says which one a token is for.
      ALTER TABLE host_tokens
        ADD COLUMN refresh_token_encrypted  text,
        ADD COLUMN expires_at               timestamptz,
        ADD COLUMN instance                 text;

      -- A person is one user whichever host they sign in with: each host account points to its user.
      CREATE TABLE accounts (
        provider      text NOT NULL,
        -- The host's id of the account, as text (hosts with several instances qualify it).
        host_user_id  text NOT NULL,
        user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        login         text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, host_user_id),
        -- One account per host per user; also serves the lookups by user.
        UNIQUE (user_id, provider)
      );
      -- Every user so far signed in with the one host sign-in had: GitHub.
      INSERT INTO accounts (provider, host_user_id, user_id, login)
        SELECT 'github', github_id::text, id, login FROM users WHERE github_id IS NOT NULL;

      -- Local users (no host account behind them) are found again by login.
      ALTER TABLE users ADD COLUMN local boolean NOT NULL DEFAULT false;
      UPDATE users SET local = true WHERE github_id IS NULL;
      DROP INDEX users_local_login;
      CREATE UNIQUE INDEX users_local_login ON users (login) WHERE local;
      ALTER TABLE users DROP COLUMN github_id;
    `,
  },
  {
    version: 4,
    name: 'token instances as data',
    sql: `
      COMMENT ON COLUMN host_tokens.instance IS
        'The host''s instance the token is for, as the host named it when the token was linked; null for a host''s only or main instance.';
    `,
    data: instancesOutOfTokens,
  },
];

/**
 * Applies pending migrations in one transaction (those up to version `until`, which tests of a
 * migration set to start from an older schema). The advisory lock makes processes that start
 * together against the same PostgreSQL take turns: the second one finds everything applied.
 * `secretKey` lets a migration rewrite encrypted rows (see `Migration.data`).
 */
export async function migrate(db: Db, schema?: string, until = Number.POSITIVE_INFINITY, options: { secretKey?: string | undefined } = {}): Promise<number[]> {
  const context = { cipher: options.secretKey ? createTokenCipher(options.secretKey) : undefined };
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repositories-api:migrate:${schema ?? 'public'}`]);
    if (schema) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(schema)}`);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer PRIMARY KEY,
        name        text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version) || m.version > until) continue;
      await tx.exec(m.sql);
      await m.data?.(tx, context);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
