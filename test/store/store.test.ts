import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenCipher } from '../../src/auth/crypto.ts';
import { EMBEDDED_SETTINGS, openDb, quoteSchema, type Db } from '../../src/store/db.ts';
import { createStore, openStore } from '../../src/store/index.ts';
import { migrate, MIGRATIONS } from '../../src/store/migrations.ts';
import type { Store } from '../../src/store/types.ts';
import { TEST_SECRET_KEY, testDatabases, type TestDatabaseHandle } from '../support/databases.ts';

const OTHER_SECRET_KEY = 'another-secret-key-after-rotation-0123456789';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every row of every table in the store's schema, as PostgreSQL renders it in text. */
async function dumpTables(db: Db): Promise<{ tables: string[]; text: string }> {
  const tables = (
    await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    )
  ).map((r) => r.table_name);
  const rows: string[] = [];
  for (const table of tables) {
    const result = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table}" t`);
    rows.push(...result.map((r) => `${table} ${r.row}`));
  }
  return { tables, text: rows.join('\n') };
}

async function countMigrations(db: Db): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
  return row!.n;
}

for (const target of await testDatabases()) {
  describe(`store on ${target.backend}`, { skip: target.skip !== false }, () => {
    let handle: TestDatabaseHandle;
    let db: Db;
    let store: Store;
    let nextGitHubId = 1000;

    const newUser = (login = 'octocat') => {
      const githubId = nextGitHubId++;
      return store.accounts.signIn('github', { id: String(githubId), login: `${login}${githubId}`, name: null, avatar_url: null });
    };

    beforeAll(async () => {
      handle = await target.create();
      db = await openDb(handle);
      await migrate(db, handle.schema);
      store = createStore(db, TEST_SECRET_KEY);
    });

    afterAll(async () => {
      await store?.close();
      await handle?.cleanup();
    });

    describe('migrations', () => {
      test('running them again on a migrated database applies nothing and records each version once', async () => {
        assert.deepEqual(await migrate(db, handle.schema), []);
        assert.equal(await countMigrations(db), MIGRATIONS.length);
      });
    });

    describe('db', () => {
      if (target.backend === 'embedded') {
        test('the embedded database runs with the embedded settings, in memory too', async () => {
          for (const [name, value] of Object.entries(EMBEDDED_SETTINGS)) {
            const [row] = await db.query<{ setting: string }>('SELECT current_setting($1) AS setting', [name]);
            assert.equal(row?.setting, value, name);
          }
        });
      }

      test('a query issued while a transaction is open does not join it: rollback keeps the outside write', async () => {
        const inTransaction = db.transaction(async (tx) => {
          await tx.query('INSERT INTO users (login) VALUES ($1)', ['written-in-rolled-back-tx']);
          await delay(30);
          throw new Error('roll back');
        });
        const outside = store.users.upsertLocal('written-outside-tx');
        await assert.rejects(inTransaction, /roll back/);
        await outside;
        const logins = (
          await db.query<{ login: string }>('SELECT login FROM users WHERE login LIKE $1', ['written-%'])
        ).map((r) => r.login);
        assert.deepEqual(logins, ['written-outside-tx']);
      });

      test('bigint columns come back as numbers and timestamps as ISO 8601 UTC strings', async () => {
        const [row] = await db.query<{ big: number; ts: string }>(
          `SELECT 9007199254740991::bigint AS big, '2026-03-10 17:32:10+03'::timestamptz AS ts`,
        );
        assert.deepEqual(row, { big: 9007199254740991, ts: '2026-03-10T14:32:10.000Z' });
      });
    });

    describe('users', () => {
      test('accounts.signIn with a known host account updates the same user instead of adding one', async () => {
        const first = await store.accounts.signIn('github', { id: '42', login: 'old', name: null, avatar_url: null });
        const second = await store.accounts.signIn('github', { id: '42', login: 'new', name: 'Mona', avatar_url: 'https://avatars.example/42' });
        assert.equal(second.id, first.id);
        assert.equal(typeof second.id, 'number');
        assert.deepEqual(
          { login: second.login, name: second.name, avatar_url: second.avatar_url },
          { login: 'new', name: 'Mona', avatar_url: 'https://avatars.example/42' },
        );
        assert.deepEqual(await store.accounts.list(first.id), [{ provider: 'github', host_user_id: '42', login: 'new' }]);
        assert.match(second.created_at, ISO);
        assert.deepEqual(await store.users.get(first.id), second);
      });

      test('upsertLocal with the same login returns the same user, without a host account', async () => {
        const a = await store.users.upsertLocal('dev');
        const b = await store.users.upsertLocal('dev');
        assert.equal(b.id, a.id);
        assert.deepEqual(await store.accounts.list(a.id), []);
      });

      test('the same account id on two hosts is two accounts, and concurrent first sign-ins of one account make one user', async () => {
        const [a, b] = await Promise.all([
          store.accounts.signIn('github', { id: '5150', login: 'twice', name: null, avatar_url: null }),
          store.accounts.signIn('github', { id: '5150', login: 'twice', name: null, avatar_url: null }),
        ]);
        assert.equal(a.id, b.id);
        const other = await store.accounts.signIn('gitverse', { id: '5150', login: 'twice', name: null, avatar_url: null });
        assert.notEqual(other.id, a.id);
      });

      test('accounts.link links a host account to the user, replaces their earlier one, and refuses one of another user', async () => {
        const mona = await store.accounts.signIn('github', { id: '7001', login: 'mona', name: null, avatar_url: null });
        const hubot = await store.accounts.signIn('github', { id: '7002', login: 'hubot', name: null, avatar_url: null });
        const linked = await store.accounts.link(mona.id, 'gitverse', { id: '9001', login: 'mona-gv', name: null, avatar_url: null });
        assert.equal(linked?.id, mona.id);
        assert.equal((await store.accounts.signIn('gitverse', { id: '9001', login: 'mona-gv', name: null, avatar_url: null })).id, mona.id);
        // Another GitVerse account replaces the first: one account per host per user.
        await store.accounts.link(mona.id, 'gitverse', { id: '9002', login: 'mona-gv2', name: null, avatar_url: null });
        assert.deepEqual((await store.accounts.list(mona.id)).map((a) => a.host_user_id), ['7001', '9002']);
        // Hubot's GitHub account is hubot's: linking it to mona changes nothing.
        assert.equal(await store.accounts.link(mona.id, 'github', { id: '7002', login: 'hubot', name: null, avatar_url: null }), undefined);
        assert.deepEqual((await store.accounts.list(hubot.id)).map((a) => a.host_user_id), ['7002']);
        assert.deepEqual((await store.accounts.list(mona.id)).map((a) => a.host_user_id), ['7001', '9002']);
      });

      test('get of an unknown id returns undefined', async () => {
        assert.equal(await store.users.get(987654321), undefined);
      });
    });

    describe('tokens', () => {
      test('put then get returns the token decrypted, with its metadata', async () => {
        const user = await newUser();
        await store.tokens.put(user.id, 'github', { token: 'gho_roundtrip', login: 'octo', scopes: ['repo', 'read:org'] });
        const token = await store.tokens.get(user.id, 'github');
        assert.ok(token?.status === 'ok');
        assert.equal(token.token, 'gho_roundtrip');
        assert.deepEqual(token.scopes, ['repo', 'read:org']);
        assert.equal(token.login, 'octo');
        assert.equal(token.provider, 'github');
        assert.match(token.updated_at, ISO);
      });

      test('put again replaces the token; list returns one entry per host; delete reports whether it removed one', async () => {
        const user = await newUser();
        await store.tokens.put(user.id, 'github', { token: 'gho_old', login: 'octo', scopes: [] });
        await store.tokens.put(user.id, 'github', { token: 'gho_new', login: 'octo', scopes: ['repo'] });
        await store.tokens.put(user.id, 'gitverse', { token: 'gv_token', login: null, scopes: ['read:public_api'] });
        const list = await store.tokens.list(user.id);
        assert.deepEqual(
          list.map((t) => (t.status === 'ok' ? [t.provider, t.token] : [t.provider, t.status])),
          [['github', 'gho_new'], ['gitverse', 'gv_token']],
        );
        assert.equal(await store.tokens.delete(user.id, 'gitverse'), true);
        assert.equal(await store.tokens.delete(user.id, 'gitverse'), false);
        assert.equal(await store.tokens.get(user.id, 'gitverse'), undefined);
      });

      test('a dump of every table holds neither a plaintext token nor a session secret', async () => {
        const user = await newUser();
        const token = 'gho_PLAINTEXT_must_not_be_stored_0123456789';
        await store.tokens.put(user.id, 'github', { token, login: 'octo', scopes: ['repo'] });
        const { secret } = await store.sessions.create(user.id, ['repos:read'], 3600);
        const dump = await dumpTables(db);
        for (const table of ['users', 'host_tokens', 'sessions', 'installations', 'detections', 'schema_migrations']) {
          assert.ok(dump.tables.includes(table), `dump covers ${table}`);
        }
        assert.ok(dump.text.includes(`host_tokens (${user.id},github,v1.`), 'the encrypted token is in the dump');
        assert.ok(!dump.text.includes(token), 'no plaintext token');
        assert.ok(!dump.text.includes('PLAINTEXT'), 'no fragment of the token');
        assert.ok(!dump.text.includes(secret), 'no session secret');
      });

      test('get after SECRET_KEY changed returns status undecryptable with the metadata', async () => {
        const user = await newUser();
        await store.tokens.put(user.id, 'github', { token: 'gho_before_rotation', login: 'octo', scopes: ['repo'] });
        // A second store over the same database, as after a restart with another key (not closed:
        // closing it would close the shared database).
        const rotated = createStore(db, OTHER_SECRET_KEY);
        const token = await rotated.tokens.get(user.id, 'github');
        assert.equal(token?.status, 'undecryptable');
        assert.ok(!('token' in token));
        assert.equal(token.login, 'octo');
        assert.deepEqual(token.scopes, ['repo']);
        assert.deepEqual(
          (await rotated.tokens.list(user.id)).map((t) => t.status),
          ['undecryptable'],
        );
        // Linking again under the new key repairs it.
        await rotated.tokens.put(user.id, 'github', { token: 'gho_after_rotation', login: 'octo', scopes: ['repo'] });
        const repaired = await rotated.tokens.get(user.id, 'github');
        assert.ok(repaired?.status === 'ok');
        assert.equal(repaired.token, 'gho_after_rotation');
      });

      test("get of a ciphertext copied into another user's row returns undecryptable", async () => {
        const victim = await newUser('victim');
        const attacker = await newUser('attacker');
        await store.tokens.put(victim.id, 'github', { token: 'gho_victim', login: 'v', scopes: [] });
        await store.tokens.put(attacker.id, 'github', { token: 'gho_attacker', login: 'a', scopes: [] });
        await db.query(
          `UPDATE host_tokens SET token_encrypted = (SELECT token_encrypted FROM host_tokens WHERE user_id = $1)
           WHERE user_id = $2`,
          [victim.id, attacker.id],
        );
        assert.equal((await store.tokens.get(attacker.id, 'github'))?.status, 'undecryptable');
      });
    });

    describe('sessions', () => {
      test('create returns a random secret; get and getBySecret find the session; a wrong secret finds nothing', async () => {
        const user = await newUser();
        const { session, secret } = await store.sessions.create(user.id, ['repos:read', 'repos:write'], 3600);
        assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
        assert.equal(session.user_id, user.id);
        assert.deepEqual(session.scopes, ['repos:read', 'repos:write']);
        assert.equal(session.revoked_at, null);
        assert.equal(Date.parse(session.expires_at) - Date.parse(session.created_at), 3600_000);
        assert.deepEqual(await store.sessions.get(session.id), session);
        assert.deepEqual(await store.sessions.getBySecret(secret), session);
        assert.equal(await store.sessions.getBySecret(`${secret}x`), undefined);
        const other = await store.sessions.create(user.id, ['repos:read'], 3600);
        assert.notEqual(other.secret, secret);
      });

      test('revoke makes get and getBySecret return undefined', async () => {
        const user = await newUser();
        const { session, secret } = await store.sessions.create(user.id, ['repos:read'], 3600);
        await store.sessions.revoke(session.id);
        assert.equal(await store.sessions.get(session.id), undefined);
        assert.equal(await store.sessions.getBySecret(secret), undefined);
      });

      test('a session past expires_at is not returned', async () => {
        const user = await newUser();
        const { session, secret } = await store.sessions.create(user.id, ['repos:read'], 0);
        assert.equal(await store.sessions.get(session.id), undefined);
        assert.equal(await store.sessions.getBySecret(secret), undefined);
      });

      test('get and revoke with a malformed id return undefined without a database error', async () => {
        assert.equal(await store.sessions.get('not-a-uuid'), undefined);
        await store.sessions.revoke('not-a-uuid');
      });
    });

    describe('installations', () => {
      test('connect creates (created true), connecting again returns the same row (created false)', async () => {
        const user = await newUser();
        const first = await store.installations.connect(user.id, 'github', 101, 'octo/one');
        assert.equal(first.created, true);
        assert.equal(typeof first.installation.id, 'number');
        assert.deepEqual(
          { ...first.installation, id: 0, created_at: '', updated_at: '' },
          { id: 0, user_id: user.id, provider: 'github', repo_id: 101, repo_full_name: 'octo/one', is_active: true, created_at: '', updated_at: '' },
        );
        assert.match(first.installation.created_at, ISO);
        const again = await store.installations.connect(user.id, 'github', 101, 'octo/one');
        assert.equal(again.created, false);
        assert.deepEqual(again.installation, first.installation);
      });

      test('disconnect then connect reactivates the same id (created true); disconnecting twice returns false', async () => {
        const user = await newUser();
        const { installation } = await store.installations.connect(user.id, 'github', 202, 'octo/two');
        assert.equal(await store.installations.disconnect(user.id, 'github', 202), true);
        assert.equal(await store.installations.disconnect(user.id, 'github', 202), false);
        assert.deepEqual(await store.installations.listActive(user.id), []);
        const back = await store.installations.connect(user.id, 'github', 202, 'octo/two-renamed');
        assert.equal(back.created, true);
        assert.equal(back.installation.id, installation.id);
        assert.equal(back.installation.is_active, true);
        assert.equal(back.installation.repo_full_name, 'octo/two-renamed');
        assert.equal(back.installation.created_at, installation.created_at);
      });

      test('disconnect of a repository never connected returns false', async () => {
        const user = await newUser();
        assert.equal(await store.installations.disconnect(user.id, 'github', 999), false);
      });

      test("user B neither sees nor can disconnect user A's installation of the same repository", async () => {
        const a = await newUser('alice');
        const b = await newUser('bob');
        const { installation } = await store.installations.connect(a.id, 'github', 303, 'org/shared');
        assert.deepEqual(await store.installations.listActive(b.id), []);
        assert.deepEqual(await store.installations.listActive(b.id, 'github'), []);
        assert.equal(await store.installations.disconnect(b.id, 'github', 303), false);
        assert.deepEqual(await store.installations.listActive(a.id), [installation]);
        // B connecting the same repository gets an installation of its own.
        const own = await store.installations.connect(b.id, 'github', 303, 'org/shared');
        assert.equal(own.created, true);
        assert.notEqual(own.installation.id, installation.id);
      });

      test('listActive returns only active installations, filtered by provider when given', async () => {
        const user = await newUser();
        const gh = await store.installations.connect(user.id, 'github', 1, 'octo/a');
        const gv = await store.installations.connect(user.id, 'gitverse', 1, 'octo/a');
        await store.installations.connect(user.id, 'github', 2, 'octo/b');
        await store.installations.disconnect(user.id, 'github', 2);
        assert.deepEqual(
          (await store.installations.listActive(user.id)).map((i) => i.id).sort((x, y) => x - y),
          [gh.installation.id, gv.installation.id].sort((x, y) => x - y),
        );
        assert.deepEqual(await store.installations.listActive(user.id, 'gitverse'), [gv.installation]);
      });

      test('100 concurrent connects of one repository leave one row, and exactly one caller sees created', async () => {
        const user = await newUser();
        const results = await Promise.all(
          Array.from({ length: 100 }, () => store.installations.connect(user.id, 'github', 4242, 'octo/race')),
        );
        const [row] = await db.query<{ n: number }>(
          'SELECT count(*) AS n FROM installations WHERE user_id = $1 AND repo_id = 4242',
          [user.id],
        );
        assert.equal(row?.n, 1);
        assert.equal(new Set(results.map((r) => r.installation.id)).size, 1);
        assert.equal(results.filter((r) => r.created).length, 1);
      });
    });

    describe('detections', () => {
      const key = { provider: 'github', repo_id: 5001, pushed_at: '2026-03-10T14:32:10Z' } as const;

      const none = { origin: null, origin_reason: null };

      test('getMany returns a stored detection while pushed_at is unchanged, and misses once it changes', async () => {
        await store.detections.putMany([{ ...key, kind: 'frontend', reason: 'Vite + React', ...none }]);
        assert.deepEqual(
          await store.detections.getMany([key]),
          new Map([['github:5001', { kind: 'frontend', reason: 'Vite + React', ...none }]]),
        );
        assert.equal((await store.detections.getMany([{ ...key, pushed_at: '2026-03-11T09:00:00Z' }])).size, 0);
      });

      test('putMany replaces an entry; duplicate keys in one call keep the last; unknown keys miss', async () => {
        const pushedLater = '2026-04-01T00:00:00Z';
        await store.detections.putMany([
          { provider: 'github', repo_id: 5002, pushed_at: pushedLater, kind: 'backend', reason: 'Express', ...none },
          { provider: 'github', repo_id: 5002, pushed_at: pushedLater, kind: 'fullstack', reason: 'Next.js', ...none },
          { provider: 'gitverse', repo_id: 5002, pushed_at: pushedLater, kind: 'monorepo', reason: 'Turbo monorepo', ...none },
        ]);
        const found = await store.detections.getMany([
          { provider: 'github', repo_id: 5002, pushed_at: pushedLater },
          { provider: 'gitverse', repo_id: 5002, pushed_at: pushedLater },
          { provider: 'github', repo_id: 5999, pushed_at: pushedLater },
        ]);
        assert.deepEqual(
          found,
          new Map([
            ['github:5002', { kind: 'fullstack', reason: 'Next.js', ...none }],
            ['gitverse:5002', { kind: 'monorepo', reason: 'Turbo monorepo', ...none }],
          ]),
        );
        assert.deepEqual(await store.detections.getMany([]), new Map());
      });

      test('when a detection found an app builder, then its origin and evidence are stored with the kind and replaced with it', async () => {
        const lovable = { provider: 'github', repo_id: 5003, pushed_at: '2026-03-10T14:32:10Z' } as const;
        await store.detections.putMany([{ ...lovable, kind: 'monorepo', reason: 'Turbo monorepo', origin: 'lovable', origin_reason: 'apps/web: lovable-tagger in devDependencies' }]);
        assert.deepEqual(
          (await store.detections.getMany([lovable])).get('github:5003'),
          { kind: 'monorepo', reason: 'Turbo monorepo', origin: 'lovable', origin_reason: 'apps/web: lovable-tagger in devDependencies' },
        );
        const pushed = { ...lovable, pushed_at: '2026-03-12T08:00:00Z' };
        await store.detections.putMany([{ ...pushed, kind: 'frontend', reason: 'Vite + React', ...none }]);
        assert.deepEqual((await store.detections.getMany([pushed])).get('github:5003'), { kind: 'frontend', reason: 'Vite + React', ...none });
      });

      test('when a database holds kinds detected before origins existed, then upgrading forgets them (they would read as made by no builder)', async () => {
        const fresh = await target.create();
        const old = await openDb(fresh);
        try {
          // The schema as version 1 left it, with one kind detected then.
          if (fresh.schema) await old.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(fresh.schema)}`);
          await old.exec('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
          await old.exec(MIGRATIONS[0]!.sql);
          await old.query('INSERT INTO schema_migrations (version, name) VALUES (1, $1)', [MIGRATIONS[0]!.name]);
          await old.query(`INSERT INTO detections (provider, repo_id, pushed_at, kind, reason) VALUES ('github', 1, now(), 'frontend', 'Vite + React')`);

          assert.deepEqual(await migrate(old, fresh.schema), MIGRATIONS.slice(1).map((m) => m.version));
          const [left] = await old.query<{ n: number }>('SELECT count(*) AS n FROM detections');
          assert.equal(left?.n, 0);
          const upgraded = createStore(old, TEST_SECRET_KEY);
          const row = { provider: 'github', repo_id: 1, pushed_at: '2026-03-10T14:32:10Z' } as const;
          await upgraded.detections.putMany([{ ...row, kind: 'frontend', reason: 'Vite + React', origin: 'bolt', origin_reason: '.bolt folder' }]);
          assert.equal((await upgraded.detections.getMany([row])).get('github:1')?.origin, 'bolt');
        } finally {
          await old.close();
          await fresh.cleanup();
        }
      });
      test('when a database from before host accounts holds users, sessions, tokens and connections, then upgrading keeps them all, and each GitHub user is found again by its account', async () => {
        const fresh = await target.create();
        const old = await openDb(fresh);
        try {
          assert.deepEqual(await migrate(old, fresh.schema, 2), [1, 2]);
          const [mona] = await old.query<{ id: number }>(`INSERT INTO users (github_id, login, name) VALUES (4242, 'mona', 'Mona') RETURNING id`);
          const [dev] = await old.query<{ id: number }>(`INSERT INTO users (login) VALUES ('dev') RETURNING id`);
          const cipher = createTokenCipher(TEST_SECRET_KEY);
          await old.query(`INSERT INTO host_tokens (user_id, provider, token_encrypted, login, scopes) VALUES ($1, 'github', $2, 'mona', '{repo}')`, [
            mona!.id,
            cipher.encrypt('gho_mona', `${mona!.id}:github`),
          ]);
          const secret = 'the-cookie-secret-of-mona';
          await old.query(`INSERT INTO sessions (id, user_id, secret_hash, scopes, expires_at) VALUES ($1, $2, $3, '{repos:read}', now() + interval '1 day')`, [
            randomUUID(),
            mona!.id,
            createHash('sha256').update(secret).digest('hex'),
          ]);
          await old.query(`INSERT INTO installations (user_id, provider, repo_id, repo_full_name) VALUES ($1, 'github', 77, 'mona/app')`, [mona!.id]);

          assert.deepEqual(await migrate(old, fresh.schema, undefined, { secretKey: TEST_SECRET_KEY }), MIGRATIONS.slice(2).map((m) => m.version));
          const upgraded = createStore(old, TEST_SECRET_KEY);
          assert.equal((await upgraded.accounts.signIn('github', { id: '4242', login: 'mona', name: 'Mona', avatar_url: null })).id, mona!.id);
          assert.equal((await upgraded.sessions.getBySecret(secret))?.user_id, mona!.id);
          const token = await upgraded.tokens.get(mona!.id, 'github');
          assert.equal(token?.status === 'ok' ? token.token : token?.status, 'gho_mona');
          assert.deepEqual((await upgraded.installations.listActive(mona!.id)).map((i) => i.repo_full_name), ['mona/app']);
          assert.equal((await upgraded.users.upsertLocal('dev')).id, dev!.id);
          // The provider is data now: a host the schema was never told of is stored like the others.
          const { created } = await upgraded.installations.connect(mona!.id, 'newhost' as never, 1, 'mona/elsewhere');
          assert.equal(created, true);
        } finally {
          await old.close();
          await fresh.cleanup();
        }
      });
      test('when a database holds tokens stored as `<instance> <token>`, then upgrading moves the instance into its column, and every other token stays as it was', async () => {
        const fresh = await target.create();
        const old = await openDb(fresh);
        try {
          assert.deepEqual(await migrate(old, fresh.schema, 3), [1, 2, 3]);
          const cipher = createTokenCipher(TEST_SECRET_KEY);
          const ids: number[] = [];
          for (const login of ['self-managed', 'main', 'github', 'rotated']) {
            const [user] = await old.query<{ id: number }>(`INSERT INTO users (login) VALUES ($1) RETURNING id`, [login]);
            ids.push(user!.id);
          }
          const [selfManaged, main, github, rotated] = ids as [number, number, number, number];
          const put = (userId: number, provider: string, token: string, refresh: string | null, key = cipher) =>
            old.query(`INSERT INTO host_tokens (user_id, provider, token_encrypted, refresh_token_encrypted, login, scopes) VALUES ($1, $2, $3, $4, 'x', '{}')`, [
              userId,
              provider,
              key.encrypt(token, `${userId}:${provider}`),
              refresh === null ? null : key.encrypt(refresh, `${userId}:${provider}:refresh`),
            ]);
          await put(selfManaged, 'gitlab', 'gitlab.example.com:8443 glpat-self', 'gitlab.example.com:8443 glrt-self');
          await put(main, 'gitlab', 'gloat-main', 'glrt-main');
          await put(github, 'github', 'gho_plain', null);
          await put(rotated, 'gitlab', 'gitlab.example.com glpat-old', null, createTokenCipher(OTHER_SECRET_KEY));

          // Without the key, the rows cannot be read: the upgrade is refused, and nothing is applied.
          await assert.rejects(migrate(old, fresh.schema), /SECRET_KEY/);
          assert.equal(await countMigrations(old), 3);
          assert.deepEqual(await migrate(old, fresh.schema, undefined, { secretKey: TEST_SECRET_KEY }), MIGRATIONS.slice(3).map((m) => m.version));

          const upgraded = createStore(old, TEST_SECRET_KEY);
          const read = async (userId: number, provider: 'gitlab' | 'github') => {
            const t = await upgraded.tokens.get(userId, provider);
            assert.ok(t, `a ${provider} token of user ${userId}`);
            return t.status === 'ok' ? { token: t.token, refresh: t.refresh_token, instance: t.instance } : { status: t.status, instance: t.instance };
          };
          assert.deepEqual(await read(selfManaged, 'gitlab'), { token: 'glpat-self', refresh: 'glrt-self', instance: 'gitlab.example.com:8443' });
          assert.deepEqual(await read(main, 'gitlab'), { token: 'gloat-main', refresh: 'glrt-main', instance: null });
          assert.deepEqual(await read(github, 'github'), { token: 'gho_plain', refresh: null, instance: null });
          assert.deepEqual(await read(rotated, 'gitlab'), { status: 'undecryptable', instance: null });
        } finally {
          await old.close();
          await fresh.cleanup();
        }
      });
    });

    test('ping resolves', async () => {
      await store.ping();
    });
  });

  if (target.backend === 'postgres') {
    describe('openStore on postgres', { skip: target.skip !== false }, () => {
      test('two stores starting at once on a new schema both open, and each migration is recorded once', async () => {
        const fresh = await target.create();
        try {
          const opts = { ...fresh, secretKey: TEST_SECRET_KEY };
          const [a, b] = await Promise.all([openStore(opts), openStore(opts)]);
          await Promise.all([a.ping(), b.ping()]);
          await Promise.all([a.close(), b.close()]);
          const db = await openDb(fresh);
          try {
            assert.equal(await countMigrations(db), MIGRATIONS.length);
          } finally {
            await db.close();
          }
        } finally {
          await fresh.cleanup();
        }
      });
    });
  } else {
    describe('openStore on the embedded file database', () => {
      // A new database folder (initdb in WebAssembly) takes tens of seconds on a busy machine.
      test('data written before close is all there after reopening the same folder', { timeout: 120_000 }, async () => {
        const fresh = await target.create({ onDisk: true });
        try {
          const opts = { ...fresh, secretKey: TEST_SECRET_KEY };
          const first = await openStore(opts);
          const user = await first.accounts.signIn('github', { id: '7', login: 'kept', name: 'Kept', avatar_url: null });
          await first.tokens.put(user.id, 'github', { token: 'gho_kept', login: 'kept', scopes: ['repo'] });
          const { secret } = await first.sessions.create(user.id, ['repos:read'], 3600);
          const { installation } = await first.installations.connect(user.id, 'github', 77, 'kept/repo');
          await first.close();

          const reopened = await openStore(opts);
          try {
            assert.deepEqual(await reopened.users.get(user.id), user);
            const token = await reopened.tokens.get(user.id, 'github');
            assert.ok(token?.status === 'ok');
            assert.equal(token.token, 'gho_kept');
            assert.equal((await reopened.sessions.getBySecret(secret))?.user_id, user.id);
            assert.deepEqual(await reopened.installations.listActive(user.id), [installation]);
          } finally {
            await reopened.close();
          }
        } finally {
          await fresh.cleanup();
        }
      });

      // A new database folder (initdb in WebAssembly) takes tens of seconds on a busy machine.
      test('a new folder is created with the embedded settings in its postgresql.conf, and every start runs with them', { timeout: 120_000 }, async () => {
        const fresh = await target.create({ onDisk: true });
        try {
          const db = await openDb(fresh);
          try {
            const conf = readFileSync(join(fresh.dataDir, 'postgresql.conf'), 'utf8');
            for (const [name, value] of Object.entries(EMBEDDED_SETTINGS)) {
              assert.match(conf, new RegExp(`^${name} = ${value}\\b`, 'm'), `${name} in postgresql.conf`);
              const [row] = await db.query<{ setting: string }>('SELECT current_setting($1) AS setting', [name]);
              assert.equal(row?.setting, value, name);
            }
          } finally {
            await db.close();
          }
        } finally {
          await fresh.cleanup();
        }
      });

      test('when the folder cannot be made, then opening fails with the reason', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'repositories-api-test-'));
        try {
          const file = join(dir, 'not-a-folder');
          writeFileSync(file, '');
          await assert.rejects(openDb({ dataDir: join(file, 'data') }), /EEXIST|ENOTDIR|not a directory/);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    });
  }
}
