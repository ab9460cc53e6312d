import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createTokenCipher, TokenDecryptionError } from '../auth/crypto.ts';
import type { Provider } from '../contract/problem.ts';
import { openDb, type Db } from './db.ts';
import { LRUCache } from 'lru-cache';
import { migrate } from './migrations.ts';
import { LockTimeout } from '../tokens/locks.ts';
import {
  detectionKey,
  type Detection,
  type HostToken,
  type HostTokenMeta,
  type Installation,
  type Session,
  type Store,
  type User,
} from './types.ts';

export interface StoreOptions {
  /** PostgreSQL when set; otherwise the embedded database in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Embedded database folder, or `memory://` for a throwaway one. */
  dataDir: string;
  /** Encrypts host tokens at rest. */
  secretKey: string;
  /** PostgreSQL schema instead of `public` (isolates parallel test runs). */
  schema?: string | undefined;
  /** Deadlines of a new connection and of each statement (see DbOptions). */
  connectTimeoutMs?: number | undefined;
  queryTimeoutMs?: number | undefined;
}

/** Opens the database, brings its schema up to date and returns the store that owns it. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const db = await openDb(opts);
  try {
    await migrate(db, opts.schema, undefined, { secretKey: opts.secretKey });
  } catch (err) {
    await db.close();
    throw err;
  }
  return createStore(db, opts.secretKey);
}

const USER_COLUMNS = 'id, login, name, avatar_url, created_at';
const TOKEN_COLUMNS = 'provider, token_encrypted, refresh_token_encrypted, login, scopes, expires_at, instance, created_at, updated_at';
const SESSION_COLUMNS = 'id, user_id, scopes, created_at, expires_at, revoked_at';
const INSTALLATION_COLUMNS = 'id, user_id, provider, repo_id, repo_full_name, is_active, created_at, updated_at';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

type TokenRow = HostTokenMeta & { token_encrypted: string; refresh_token_encrypted: string | null };
type SessionRow = Session & { secret_hash: string };

/** Rows this process keeps of an embedded database, shared by every store over it (see Memo). */
/**
 * Rows kept in process, read through on a miss. Only for a database this process owns alone (the
 * embedded one): every write goes through this process's store, which forgets (or sets) the rows it
 * changes, so a kept row is never older than the database. PostgreSQL may have other writers and is
 * always asked. Callers that ask while a row is being read share that read (`fetch`); a write during
 * the read replaces it, so its older result is handed to those who asked but not kept.
 * Kept rows are frozen: every caller shares them.
 */
type Memo<V> = LRUCache<string, { value: V }, () => Promise<V>>;

function memo<V>(): Memo<V> {
  return new LRUCache<string, { value: V }, () => Promise<V>>({
    max: MEMO_ENTRIES,
    ignoreFetchAbort: true,
    fetchMethod: async (_key, _stale, { context: load }) => ({ value: deepFreeze(await load()) }),
  });
}

/** The kept value, or else `load()`'s. */
async function through<V>(memo: Memo<V>, key: string, load: () => Promise<V>): Promise<V> {
  return (await memo.fetch(key, { context: load }))!.value;
}

const keep = <V>(memo: Memo<V>, key: string, value: V): void => void memo.set(key, { value: deepFreeze(value) });

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

interface Memos {
  users: Memo<User | undefined>;
  tokens: Memo<TokenRow[]>;
  /** Sessions whatever their state, so a revoked or expired one is refused without a query. */
  sessions: Memo<SessionRow | undefined>;
  sessionIdBySecretHash: LRUCache<string, string>;
  /** Active installations per user. */
  installations: Memo<Installation[]>;
}

const MEMO_ENTRIES = 10_000;
const MEMOS = new WeakMap<Db, Memos>();

function memosOf(db: Db): Memos | undefined {
  if (db.backend !== 'embedded') return undefined;
  let memos = MEMOS.get(db);
  if (!memos) {
    memos = {
      users: memo(),
      tokens: memo(),
      sessions: memo(),
      sessionIdBySecretHash: new LRUCache({ max: MEMO_ENTRIES }),
      installations: memo(),
    };
    MEMOS.set(db, memos);
  }
  return memos;
}

/** Each kept session row as a session, with its expiry read once: kept rows are frozen, so they never change. */
const sessionOfRow = new WeakMap<SessionRow, { session: Session; expiresAtMs: number }>();

/** In process, the embedded database's own clock: an active session is neither revoked nor expired. */
function active(row: SessionRow | undefined): Session | undefined {
  if (!row || row.revoked_at !== null) return undefined;
  let seen = sessionOfRow.get(row);
  if (!seen) {
    const { secret_hash: _hash, ...session } = row;
    seen = { session: Object.freeze(session), expiresAtMs: Date.parse(row.expires_at) };
    if (Object.isFrozen(row)) sessionOfRow.set(row, seen);
  }
  // The embedded database's clock is this process's: the one its SQL `now()` reads, as PostgreSQL's reads its own.
  // eslint-disable-next-line no-restricted-syntax
  return seen.expiresAtMs <= Date.now() ? undefined : seen.session;
}

/** A kept (frozen) list of connections, those of one host: worked out once per list and host. */
const byProvider = new WeakMap<readonly Installation[], Map<Provider | undefined, Installation[]>>();
function ofProvider(all: Installation[], provider: Provider | undefined): Installation[] {
  let lists = byProvider.get(all);
  if (!lists) byProvider.set(all, (lists = new Map()));
  let list = lists.get(provider);
  if (!list) lists.set(provider, (list = Object.freeze(all.filter((i) => provider === undefined || i.provider === provider)) as Installation[]));
  return list;
}

/** A store over an already migrated database; `close()` closes that database. */
export function createStore(db: Db, secretKey: string): Store {
  // Closing twice (a shutdown racing a test's own close) is harmless.
  let closing: Promise<void> | undefined;
  const cipher = createTokenCipher(secretKey);
  // Binds each ciphertext to its row, so one copied to another user or host does not decrypt.
  const tokenContext = (userId: number, provider: Provider) => `${userId}:${provider}`;
  const refreshContext = (userId: number, provider: Provider) => `${userId}:${provider}:refresh`;

  // Tokens this process has decrypted, by context and ciphertext: every listing reads the user's
  // tokens, and a decryption costs more than the rest of a warm listing's store reads together.
  const decrypted = new LRUCache<string, string>({ max: MEMO_ENTRIES });
  const decrypt = (ciphertext: string, context: string): string => {
    const key = `${context} ${ciphertext}`;
    let plaintext = decrypted.get(key);
    if (plaintext === undefined) decrypted.set(key, (plaintext = cipher.decrypt(ciphertext, context)));
    return plaintext;
  };

  const toHostToken = (userId: number, row: TokenRow): HostToken => {
    const { token_encrypted, refresh_token_encrypted, ...meta } = row;
    try {
      return {
        ...meta,
        status: 'ok',
        token: decrypt(token_encrypted, tokenContext(userId, row.provider)),
        refresh_token: refresh_token_encrypted === null ? null : decrypt(refresh_token_encrypted, refreshContext(userId, row.provider)),
      };
    } catch (err) {
      if (err instanceof TokenDecryptionError) return { ...meta, status: 'undecryptable' };
      throw err;
    }
  };

  const memos = memosOf(db);

  const tokenRows = (userId: number): Promise<TokenRow[]> => {
    const read = () => db.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM host_tokens WHERE user_id = $1 ORDER BY provider`, [userId]);
    return memos ? through(memos.tokens, String(userId), read) : read();
  };

  const sessionRow = (id: string): Promise<SessionRow | undefined> =>
    through(memos!.sessions, id, async () => (await db.query<SessionRow>(`SELECT ${SESSION_COLUMNS}, secret_hash FROM sessions WHERE id = $1`, [id]))[0]);

  // Newest first, as listActive answers.
  const activeInstallations = (userId: number): Promise<Installation[]> =>
    through(memos!.installations, String(userId), () =>
      db.query<Installation>(
        `SELECT ${INSTALLATION_COLUMNS} FROM installations WHERE user_id = $1 AND is_active ORDER BY updated_at DESC, id DESC`,
        [userId],
      ),
    );

  return {
    users: {
      async upsertLocal(login) {
        const [user] = await db.query<User>(
          `INSERT INTO users (login, local) VALUES ($1, true)
           ON CONFLICT (login) WHERE local DO UPDATE SET updated_at = now()
           RETURNING ${USER_COLUMNS}`,
          [login],
        );
        if (memos) keep(memos.users, String(user!.id), user);
        return user!;
      },

      async get(id) {
        const read = async () => (await db.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]))[0];
        return memos ? through(memos.users, String(id), read) : read();
      },
    },

    accounts: {
      async signIn(provider, account) {
        const user = await db.transaction(async (tx) => {
          // Two first sign-ins of one account at once make one user, not two.
          await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repositories-api:account:${provider}:${account.id}`]);
          const [found] = await tx.query<{ user_id: number }>('SELECT user_id FROM accounts WHERE provider = $1 AND host_user_id = $2', [provider, account.id]);
          if (found) {
            await tx.query('UPDATE accounts SET login = $3, updated_at = now() WHERE provider = $1 AND host_user_id = $2', [provider, account.id, account.login]);
            // The profile shown is that of the host signed in with last.
            const [updated] = await tx.query<User>(
              `UPDATE users SET login = $2, name = $3, avatar_url = $4, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`,
              [found.user_id, account.login, account.name, account.avatar_url],
            );
            return updated!;
          }
          const [created] = await tx.query<User>(
            `INSERT INTO users (login, name, avatar_url) VALUES ($1, $2, $3) RETURNING ${USER_COLUMNS}`,
            [account.login, account.name, account.avatar_url],
          );
          await tx.query('INSERT INTO accounts (provider, host_user_id, user_id, login) VALUES ($1, $2, $3, $4)', [provider, account.id, created!.id, account.login]);
          return created!;
        });
        if (memos) keep(memos.users, String(user.id), user);
        return user;
      },

      async link(userId, provider, account) {
        const linked = await db.transaction(async (tx) => {
          await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repositories-api:account:${provider}:${account.id}`]);
          const [found] = await tx.query<{ user_id: number }>('SELECT user_id FROM accounts WHERE provider = $1 AND host_user_id = $2', [provider, account.id]);
          if (found && found.user_id !== userId) return false;
          if (found) {
            await tx.query('UPDATE accounts SET login = $3, updated_at = now() WHERE provider = $1 AND host_user_id = $2', [provider, account.id, account.login]);
          } else {
            await tx.query('DELETE FROM accounts WHERE user_id = $1 AND provider = $2', [userId, provider]);
            await tx.query('INSERT INTO accounts (provider, host_user_id, user_id, login) VALUES ($1, $2, $3, $4)', [provider, account.id, userId, account.login]);
          }
          return true;
        });
        if (!linked) return undefined;
        memos?.users.delete(String(userId));
        const [user] = await db.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [userId]);
        return user;
      },

      async list(userId) {
        return db.query<{ provider: Provider; host_user_id: string; login: string }>(
          'SELECT provider, host_user_id, login FROM accounts WHERE user_id = $1 ORDER BY provider',
          [userId],
        );
      },
    },

    tokens: {
      async put(userId, provider, input) {
        await db.query(
          `INSERT INTO host_tokens (user_id, provider, token_encrypted, login, scopes, refresh_token_encrypted, expires_at, instance)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (user_id, provider) DO UPDATE
             SET token_encrypted = excluded.token_encrypted, login = excluded.login, scopes = excluded.scopes,
                 refresh_token_encrypted = excluded.refresh_token_encrypted, expires_at = excluded.expires_at,
                 instance = excluded.instance, updated_at = now()`,
          [
            userId,
            provider,
            cipher.encrypt(input.token, tokenContext(userId, provider)),
            input.login,
            input.scopes,
            input.refreshToken ? cipher.encrypt(input.refreshToken, refreshContext(userId, provider)) : null,
            input.expiresAt ? input.expiresAt.toISOString() : null,
            input.instance ?? null,
          ],
        );
        memos?.tokens.delete(String(userId));
      },

      async get(userId, provider) {
        if (memos) {
          const row = (await tokenRows(userId)).find((r) => r.provider === provider);
          return row && toHostToken(userId, row);
        }
        const [row] = await db.query<TokenRow>(
          `SELECT ${TOKEN_COLUMNS} FROM host_tokens WHERE user_id = $1 AND provider = $2`,
          [userId, provider],
        );
        return row && toHostToken(userId, row);
      },

      async list(userId) {
        return (await tokenRows(userId)).map((row) => toHostToken(userId, row));
      },

      async delete(userId, provider) {
        const rows = await db.query(
          'DELETE FROM host_tokens WHERE user_id = $1 AND provider = $2 RETURNING provider',
          [userId, provider],
        );
        memos?.tokens.delete(String(userId));
        return rows.length > 0;
      },
    },

    sessions: {
      async create(userId, scopes, ttlSeconds) {
        const secret = randomBytes(32).toString('base64url');
        const secretHash = sha256(secret);
        // Expiry on the database clock, the same clock every read compares against.
        const [session] = await db.query<Session>(
          `INSERT INTO sessions (id, user_id, secret_hash, scopes, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
           RETURNING ${SESSION_COLUMNS}`,
          [randomUUID(), userId, secretHash, scopes, ttlSeconds],
        );
        if (memos) {
          keep(memos.sessions, session!.id, { ...session!, secret_hash: secretHash });
          memos.sessionIdBySecretHash.set(secretHash, session!.id);
        }
        return { session: session!, secret };
      },

      async get(id) {
        // Ids arrive from clients; a malformed one is simply unknown, not a database error.
        if (!UUID.test(id)) return undefined;
        if (memos) return active(await sessionRow(id));
        const [session] = await db.query<Session>(
          `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()`,
          [id],
        );
        return session;
      },

      async getBySecret(secret) {
        if (memos) {
          const hash = sha256(secret);
          const known = memos.sessionIdBySecretHash.get(hash);
          if (known) return active(await sessionRow(known));
          const [row] = await db.query<SessionRow>(`SELECT ${SESSION_COLUMNS}, secret_hash FROM sessions WHERE secret_hash = $1`, [hash]);
          if (!row) return undefined;
          memos.sessionIdBySecretHash.set(hash, row.id);
          return active(await sessionRow(row.id));
        }
        const [session] = await db.query<Session>(
          `SELECT ${SESSION_COLUMNS} FROM sessions
           WHERE secret_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
          [sha256(secret)],
        );
        return session;
      },

      async revoke(id) {
        if (!UUID.test(id)) return;
        await db.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
        memos?.sessions.delete(id);
      },
    },

    installations: {
      async connect(userId, provider, repoId, fullName) {
        // One statement, so concurrent connects of one repository meet on the unique key: one
        // inserts, the others wait for it and update. `activated_xact` keeps the transaction that
        // last activated the row, so only the caller that inserted or reactivated sees `created`.
        const [row] = await db.query<Installation & { created: boolean }>(
          `INSERT INTO installations (user_id, provider, repo_id, repo_full_name) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id, provider, repo_id) DO UPDATE SET
             repo_full_name = excluded.repo_full_name,
             is_active = true,
             activated_xact = CASE WHEN installations.is_active THEN installations.activated_xact
                                   ELSE excluded.activated_xact END,
             updated_at = CASE WHEN installations.is_active AND installations.repo_full_name = excluded.repo_full_name
                               THEN installations.updated_at ELSE now() END
           RETURNING ${INSTALLATION_COLUMNS}, activated_xact = pg_current_xact_id() AS created`,
          [userId, provider, repoId, fullName],
        );
        memos?.installations.delete(String(userId));
        const { created, ...installation } = row!;
        return { installation, created };
      },

      async disconnect(userId, provider, repoId) {
        const rows = await db.query(
          `UPDATE installations SET is_active = false, updated_at = now()
           WHERE user_id = $1 AND provider = $2 AND repo_id = $3 AND is_active
           RETURNING id`,
          [userId, provider, repoId],
        );
        memos?.installations.delete(String(userId));
        return rows.length > 0;
      },

      async listActive(userId, provider) {
        if (memos) return ofProvider(await activeInstallations(userId), provider);
        return db.query<Installation>(
          `SELECT ${INSTALLATION_COLUMNS} FROM installations
           WHERE user_id = $1 AND is_active AND ($2::text IS NULL OR provider = $2)
           ORDER BY updated_at DESC, id DESC`,
          [userId, provider ?? null],
        );
      },
    },

    detections: {
      async getMany(keys) {
        if (keys.length === 0) return new Map();
        const rows = await db.query<{ provider: Provider; repo_id: number } & Detection>(
          `SELECT d.provider, d.repo_id, d.kind, d.reason, d.origin, d.origin_reason
           FROM unnest($1::text[], $2::bigint[], $3::text[]) AS k (provider, repo_id, pushed_at)
           JOIN detections d
             ON d.provider = k.provider AND d.repo_id = k.repo_id AND d.pushed_at = k.pushed_at::timestamptz`,
          [keys.map((k) => k.provider), keys.map((k) => k.repo_id), keys.map((k) => k.pushed_at)],
        );
        return new Map(
          rows.map((r) => [detectionKey(r), { kind: r.kind, reason: r.reason, origin: r.origin ?? null, origin_reason: r.origin_reason ?? null }]),
        );
      },

      async putMany(entries) {
        // One row per key (a statement may not update a row twice), in key order so that
        // concurrent writers lock rows in the same order and cannot deadlock.
        const byKey = new Map(entries.map((e) => [detectionKey(e), e]));
        const rows = [...byKey.values()].sort((a, b) =>
          a.provider === b.provider ? a.repo_id - b.repo_id : a.provider < b.provider ? -1 : 1,
        );
        if (rows.length === 0) return;
        await db.query(
          `INSERT INTO detections (provider, repo_id, pushed_at, kind, reason, origin, origin_reason)
           SELECT provider, repo_id, pushed_at::timestamptz, kind, reason, origin, origin_reason
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
             AS e (provider, repo_id, pushed_at, kind, reason, origin, origin_reason)
           ON CONFLICT (provider, repo_id) DO UPDATE
             SET pushed_at = excluded.pushed_at, kind = excluded.kind, reason = excluded.reason,
                 origin = excluded.origin, origin_reason = excluded.origin_reason, detected_at = now()`,
          [
            rows.map((e) => e.provider),
            rows.map((e) => e.repo_id),
            rows.map((e) => e.pushed_at),
            rows.map((e) => e.kind),
            rows.map((e) => e.reason),
            rows.map((e) => e.origin),
            rows.map((e) => e.origin_reason),
          ],
        );
      },
    },

    locks: {
      async run(key, waitMs, fn) {
        if (db.backend === 'embedded') return fn();
        return db.transaction(async (tx) => {
          // The wait is bounded on the server's side: a lock not had in time is a LockTimeout.
          await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.ceil(waitMs))}`);
          try {
            await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repositories-api:${key}`]);
          } catch (error) {
            if ((error as { code?: unknown }).code === '55P03') throw new LockTimeout(`waited ${waitMs} ms for ${key}`);
            throw error;
          }
          return fn();
        });
      },
    },

    async ping() {
      await db.query('SELECT 1');
    },

    close: () => (closing ??= db.close()),
  };
}
