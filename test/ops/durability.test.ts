/**
 * Crash durability: an app process killed with SIGKILL in the middle of a burst of connects and
 * disconnects loses no acknowledged write and leaves no half-written installation, on the embedded
 * database and on PostgreSQL.
 *
 * What can be asserted, per repository, after the restart. Every answer we received was sent after
 * the write committed. So for an acknowledged operation A and an operation B the client started only
 * after A's answer arrived, B committed after A. The final state is the effect of the operation that
 * committed last. It cannot be an acknowledged operation that another acknowledged one followed in
 * that sense; it can be any acknowledged operation nothing followed, or any operation whose answer
 * never came (in flight at the kill: it may or may not have landed, and if it did, possibly last).
 * A repository with one last acknowledged operation and nothing unanswered has exactly one possible
 * state; the others a small set, which must contain the state found.
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { generateRepos, seededRandom, startFakeGitHub, type FakeGitHub, type FakeRepo } from '../fakes/github/index.ts';
import {
  baseEnv,
  ContractViolation,
  killAll,
  OPS_CLIENT,
  postgresSchema,
  postgresSkip,
  startAppProcess,
  tempDataDir,
  type AppProcess,
} from './support.ts';
import { apiClient, signIn } from '../support/client.ts';
import { assertEvery } from '../support/assertions.ts';

const REPOS = 50;
const OPERATIONS = 300;
const CONCURRENCY = 20;
/** The kill comes after this many answers, with the other workers' requests in flight. */
const KILL_AFTER_ANSWERS = 120;

type State = 'connected' | 'disconnected';

interface Operation {
  repoId: number;
  action: 'connect' | 'disconnect';
  /** Logical times on one clock: when the request was sent, when its answer arrived. */
  sentAt?: number;
  answeredAt?: number;
  /** The state this operation leaves (or, for a disconnect answered 404, found) when it took effect. */
  effect: State;
  answered: boolean;
  status?: number;
  installationId?: number;
}

/** The states each repository may be in after the crash, and whether exactly one is possible. */
function possibleStates(ops: Operation[]): { states: Set<State>; exact: boolean } {
  const answered = ops.filter((o) => o.answered);
  const unanswered = ops.filter((o) => !o.answered && o.sentAt !== undefined);
  if (answered.length === 0 && unanswered.length === 0) return { states: new Set(['disconnected']), exact: true };
  // Answered operations that no other answered operation was sent after.
  const last = answered.filter((a) => !answered.some((b) => (b.sentAt ?? 0) > (a.answeredAt ?? Infinity)));
  const states = new Set<State>([...last, ...unanswered].map((o) => o.effect));
  // With nothing answered, the unanswered ones may all have been lost.
  if (answered.length === 0) states.add('disconnected');
  return { states, exact: unanswered.length === 0 && last.length === 1 };
}

interface Backend {
  name: 'embedded' | 'postgres';
  skip: string | false;
  /** Database settings for the app process, and (PostgreSQL) a look at the rows themselves. */
  prepare(): Promise<{ env: Record<string, string>; rows?(): Promise<Array<{ repo_id: number; is_active: boolean; n: number }>>; cleanup(): Promise<void> }>;
}

const ROWS_SQL = `SELECT repo_id::float8 AS repo_id, bool_or(is_active) AS is_active, count(*)::int AS n FROM installations GROUP BY user_id, provider, repo_id`;

const backends: Backend[] = [
  {
    name: 'embedded',
    skip: false,
    async prepare() {
      const { dataDir, cleanup } = await tempDataDir();
      // The unique key makes a second row impossible here too; the API checks cover this backend.
      return { env: { DATA_DIR: dataDir }, cleanup };
    },
  },
  {
    name: 'postgres',
    skip: postgresSkip,
    async prepare() {
      const pg = await postgresSchema();
      return { env: { DATABASE_URL: pg.databaseUrl }, rows: () => pg.query(ROWS_SQL), cleanup: () => pg.cleanup() };
    },
  },
];

describe('crash durability', () => {
  for (const backend of backends) {
    const login = `dana-${backend.name}`;
    const repos = generateRepos(REPOS, { owner: { login }, seed: 7 });
    const fullName = new Map(repos.map((r: FakeRepo) => [r.id, `${r.owner.login}/${r.name}`]));
    let fake: FakeGitHub;
    let db: Awaited<ReturnType<Backend['prepare']>>;
    afterAll(async () => {
      await killAll();
      await fake?.close();
      await db?.cleanup();
    });

    test(`(${backend.name}) when the process is killed during 300 concurrent connects and disconnects, then after a restart every acknowledged write is there, each repository has one complete installation row at most, and the app works normally`, { skip: backend.skip !== false }, async () => {
      fake = await startFakeGitHub({ clientId: OPS_CLIENT.id, clientSecret: OPS_CLIENT.secret, users: [{ login, repos }] });
      db = await backend.prepare();
      const env = { ...baseEnv(fake.baseUrl), ...db.env };

      const first: AppProcess = await startAppProcess(env);
      const { token } = await signIn(first.baseUrl, login);
      const beforeCrash = apiClient(first.baseUrl, { token });
      // Warms the listing cache, so the burst measures writes, not GitHub.
      assert.equal((await beforeCrash.GET('/api/v1/repos', { params: { query: { per_page: 100 } } })).response.status, 200);

      const random = seededRandom(11);
      const ops: Operation[] = Array.from({ length: OPERATIONS }, () => {
        const repo = repos[Math.floor(random() * repos.length)] ?? assert.fail('no repository');
        const action = random() < 0.6 ? 'connect' : 'disconnect';
        return { repoId: repo.id, action, effect: action === 'connect' ? 'connected' : 'disconnected', answered: false };
      });
      const unexpected: string[] = [];
      let clock = 0;
      let next = 0;
      let answers = 0;
      let inFlight = 0;
      let inFlightAtKill = -1;

      const send = async (op: Operation) => {
        op.sentAt = ++clock;
        inFlight++;
        try {
          if (op.action === 'connect') {
            const { response, data } = await beforeCrash.POST('/api/v1/connections', { body: { provider: 'github', repo_id: op.repoId } });
            op.status = response.status;
            if (response.status === 200 || response.status === 201) op.installationId = data?.id;
          } else {
            const { response } = await beforeCrash.DELETE('/api/v1/connections/{provider}/{repo_id}', { params: { path: { provider: 'github', repo_id: op.repoId } } });
            op.status = response.status;
          }
          op.answeredAt = ++clock;
          const expected = op.action === 'connect' ? [200, 201] : [204, 404];
          if (expected.includes(op.status)) op.answered = true;
          else unexpected.push(`${op.action} ${op.repoId}: ${op.status}`);
          answers++;
        } catch (error) {
          // An answer that disagrees with the spec is a failure; a connection cut by the kill is not.
          if (error instanceof ContractViolation) unexpected.push(error.message);
        } finally {
          inFlight--;
        }
        if (answers >= KILL_AFTER_ANSWERS && inFlightAtKill < 0) {
          inFlightAtKill = inFlight;
          first.signal('SIGKILL');
        }
      };
      const worker = async () => {
        while (inFlightAtKill < 0 && next < ops.length) {
          const op = ops[next++] ?? assert.fail('no operation');
          await send(op);
        }
      };
      const burst = Date.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const exit = await first.exited;
      const burstMs = Date.now() - burst;

      assert.deepEqual(unexpected, [], 'every answer before the kill is an expected, spec-conformant one');
      assert.equal(exit.signal, 'SIGKILL');
      assert.ok(inFlightAtKill >= 1, `requests were in flight at the kill (${inFlightAtKill})`);
      const sent = ops.filter((o) => o.sentAt !== undefined);
      const acknowledged = sent.filter((o) => o.answered);
      assert.ok(acknowledged.length >= KILL_AFTER_ANSWERS, `${acknowledged.length} acknowledged in ${burstMs} ms`);

      // Every acknowledged connect of a repository names the same installation: one row per repository.
      const idOf = new Map<number, number>();
      for (const op of acknowledged) {
        if (op.installationId === undefined) continue;
        const known = idOf.get(op.repoId);
        assert.ok(known === undefined || known === op.installationId, `repository ${op.repoId} answered installations ${known} and ${op.installationId}`);
        idOf.set(op.repoId, op.installationId);
      }

      const second = await startAppProcess(env);
      const afterCrash = apiClient(second.baseUrl, { token });
      const connections = await afterCrash.GET('/api/v1/connections');
      assert.equal(connections.response.status, 200, 'the session survived the crash');
      const list = connections.data?.connections ?? assert.fail('no connections');
      assert.equal(new Set(list.map((c) => c.repo_id)).size, list.length, 'one entry per repository');
      for (const c of list) {
        assert.equal(c.provider, 'github');
        assert.equal(c.is_active, true);
        assert.equal(c.full_name, fullName.get(c.repo_id), `installation ${c.id} names its repository`);
        assert.ok(c.created_at <= c.updated_at, `installation ${c.id} was not updated before it was created`);
        const seen = idOf.get(c.repo_id);
        if (seen !== undefined) assert.equal(c.id, seen, `repository ${c.repo_id} keeps installation ${seen}`);
      }

      const listing = await afterCrash.GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
      assert.equal(listing.data?.total, REPOS);
      const connected = new Map(list.map((c) => [c.repo_id, c.id]));
      let exact = 0;
      const found = { connected: 0, disconnected: 0 };
      for (const repo of listing.data?.repositories ?? []) {
        assert.equal(repo.installation_id, connected.get(repo.id) ?? null, `repository ${repo.id}: the listing agrees with the connections`);
        const state: State = repo.is_connected ? 'connected' : 'disconnected';
        found[state]++;
        const { states, exact: isExact } = possibleStates(sent.filter((o) => o.repoId === repo.id));
        if (isExact) exact++;
        assert.ok(states.has(state), `repository ${repo.id} is ${state}; possible after its acknowledged writes: ${[...states].join(', ')}`);
      }
      // Enough repositories have a single possible state for the check to mean something.
      assert.ok(exact >= 15, `${exact} of ${REPOS} repositories had exactly one possible state`);
      assert.ok(found.connected > 0 && found.disconnected > 0, `both states present: ${JSON.stringify(found)}`);

      // The restarted app works normally: a write, its undo, readiness.
      const idle = repos.find((r) => !connected.has(r.id)) ?? assert.fail('every repository is connected');
      const made = await afterCrash.POST('/api/v1/connections', { body: { provider: 'github', repo_id: idle.id } });
      assert.equal(made.response.status, 201);
      const gone = await afterCrash.DELETE('/api/v1/connections/{provider}/{repo_id}', { params: { path: { provider: 'github', repo_id: idle.id } } });
      assert.equal(gone.response.status, 204);
      assert.equal((await afterCrash.GET('/api/v1/ready')).response.status, 200);
      assert.deepEqual(await second.stop(), { code: 0, signal: null });

      // In the tables: one row per repository, active exactly where the API says connected.
      if (!db.rows) return;
      const rows = await db.rows();
      assertEvery(rows, (r) => r.n === 1, 'no repository has two installation rows');
      assert.deepEqual(
        rows.filter((r) => r.is_active).map((r) => r.repo_id).sort(),
        [...connected.keys()].sort(),
      );
    });
  }
});
