/**
 * Property-based checks generated from the bundled spec (what Schemathesis does, with fast-check):
 * operations, parameters, bodies and security requirements are all read from the document, so a new
 * operation is covered without touching this file.
 *
 * - valid requests, with credentials of the needed scope, get a declared and conforming answer that
 *   is neither a 5xx, nor a schema rejection, nor a refusal of the credentials;
 * - invalid requests get the documented 400 `VALIDATION_FAILED` problem with `issues` (413 / 415 for
 *   bodies that are too large or not JSON), never a 2xx or a 5xx;
 * - protected operations refuse missing, junk, revoked, expired and forged credentials with 401, and
 *   credentials without the needed scope with 403 `FORBIDDEN`.
 *
 * The harness checks every answer against the spec as well (status, content type, headers, body).
 * FUZZ_SEED replays a run, FUZZ_RUNS sets the number of requests.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, test } from 'vitest';
import fc from 'fast-check';
import { createJwtService, type Scope } from '../../src/auth/jwt.ts';
import { generateRepos } from '../fakes/github/index.ts';
import { generateGitVerseRepos } from '../fakes/gitverse/index.ts';
import { loadSpecDocument, resolve } from '../support/contract.ts';
import { checkObserved as checkAnswer, ContractViolation } from '../support/checked.ts';
import { MAX_HEADER_BYTES } from '../../src/http/client-errors.ts';
import { startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { ArbitraryFactory, Observations, SchemaTools } from './schema-arbitraries.ts';
import { allScopes, declares, operationModels, responseSchema, type Json, type OperationModel } from './spec-model.ts';
import {
  alternativeOf,
  authRequests,
  canBeInvalid,
  invalidRequests,
  isSafeMethod,
  toHttp,
  validRequests,
  type CredentialPlan,
  type Intent,
  type RequestContext,
  type RequestPlan,
} from './spec-requests.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const TOTAL = Number(process.env.FUZZ_RUNS ?? 10_240);
/** Shares of the total per intent. */
const SHARES: Record<Intent, number> = { valid: 0.4, invalid: 0.4, auth: 0.2 };

const document = loadSpecDocument();
const operations = operationModels(document);
const byId = new Map(operations.map((o) => [o.operationId, o]));
const scopes = allScopes(operations);
const tools = new SchemaTools(document);

/** Components some request schema names: the only values worth harvesting from answers. */
function requestRefs(): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && !found.has(value)) {
          found.add(value);
          walk(resolve(document, { $ref: value }, value).value);
        } else walk(value);
      }
    }
  };
  for (const o of operations) {
    o.parameters.forEach((p) => walk(p.schema));
    if (o.body) walk(o.body.schema);
  }
  return found;
}

const observations = new Observations(tools, requestRefs());
const concretePaths = new Set(operations.filter((o) => !o.path.includes('{')).map((o) => `${o.method} ${o.path}`.toLowerCase()));
const ctx: RequestContext = { tools, factory: new ArbitraryFactory(tools, observations), etags: [], scopes, concretePaths };

/**
 * How often an operation is drawn: by how much there is to vary in it. One with no parameters and
 * no body varies only in noise headers and credentials, so it gets a small share.
 */
function weightOf(o: OperationModel, intent: Intent): number {
  const inputs = o.parameters.length + (o.body ? 4 : 0);
  if (intent === 'auth') return o.protected ? 2 + inputs : 0;
  // Nothing can be wrong in an operation without checked parameters or a body (undeclared query parameters are ignored).
  if (intent === 'invalid' && !canBeInvalid(ctx, o)) return 0;
  return inputs === 0 ? 0.1 : 1 + inputs;
}

function mixed(intent: Intent): fc.Arbitrary<RequestPlan> {
  const build = intent === 'valid' ? validRequests : intent === 'invalid' ? invalidRequests : authRequests;
  const weighted = operations
    .map((o) => ({ o, weight: Math.round(weightOf(o, intent) * 10) }))
    .filter((w) => w.weight > 0)
    .map(({ o, weight }) => ({ weight, arbitrary: build(ctx, o) }));
  return fc.oneof(...weighted);
}

interface Session {
  bearer: string;
  cookie: string;
  id: string;
}

interface Answer {
  status: number;
  type: string;
  mediaType: string;
  text: string;
  body: unknown;
  problem: Json | undefined;
  /** The request and the start of the answer, for messages. */
  said: string;
  headers: Headers;
}

const stats = {
  requests: 0,
  serverErrors: 0,
  byOperation: new Map<string, Map<number, number>>(),
};

/**
 * One request over node:http on a kept-alive connection: thousands of them are sent, and `fetch`
 * (streams, a Request and a clone per call) costs more than the app answering.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function exchange(url: string, init: { method?: string; headers: Record<string, string>; body?: BodyInit | null }): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const body = init.body instanceof Uint8Array ? init.body : undefined;
    const headers = body ? { 'content-length': String(body.byteLength), ...init.headers } : init.headers;
    const req = httpRequest(url, { method: init.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        // From the raw lines, as fetch does: a header sent twice is kept twice (joined), not dropped.
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('property checks generated from the spec', () => {
  let t: TestApp;
  let me: SignedIn;
  /** The signed-in session, for safe methods. */
  let shared: Session;
  /** A session for non-safe methods, replaced once a request ends it (sign-out). */
  let writer: Session | undefined;
  /** A live session that forged tokens name. */
  let forger: Session;
  const started = Date.now();

  beforeAll(async () => {
    // The spec's own example GitVerse token is a real account on the fake, so the examples link successfully.
    const example = resolve(document, { $ref: '#/components/examples/gitverse_token_request' }, 'example').value.value as { token: string };
    t = await startTestApp({
      // A few repositories keep listings cheap; the fake's own rate limit must not run out either.
      fake: { users: [{ login: 'octocat', repos: generateRepos(6, { owner: { login: 'octocat' }, seed: 3 }) }], rateLimit: 10_000_000 },
      gitverse: { users: [{ login: 'octocat', token: example.token, repos: generateGitVerseRepos(3, { owner: { login: 'octocat' }, seed: 4 }) }] },
      // Thousands of requests a minute from one user and one address: the limiter must not answer 429 to the fuzzer.
      env: { RATE_LIMIT_PER_USER: '100000000', RATE_LIMIT_PER_ADDRESS: '100000000' },
    });
    me = await t.signIn('octocat');
    shared = { bearer: me.token, cookie: me.cookie.slice(me.cookie.indexOf('=') + 1), id: '' };
    forger = await mint(scopes);
    console.log(`property checks: seed ${SEED}, ${TOTAL} requests planned (FUZZ_SEED, FUZZ_RUNS)`);
  });

  afterAll(async () => {
    await t?.close();
    agent.destroy();
    for (const [operationId, statuses] of stats.byOperation) {
      console.log(`  ${operationId}: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`property checks: ${stats.requests} requests, seed ${SEED}, ${stats.serverErrors} server errors, ${seconds} s`);
  });

  async function mint(withScopes: string[]): Promise<Session> {
    const { store, jwt } = t.app.services;
    const { session, secret } = await store.sessions.create(me.userId, withScopes, 3600);
    return { bearer: await jwt.issue({ userId: me.userId, sessionId: session.id, scopes: withScopes as Scope[] }), cookie: secret, id: session.id };
  }

  function place(headers: Record<string, string>, operation: OperationModel, scheme: string, session: Session): void {
    const { carrier } = alternativeOf(operation, scheme);
    if (carrier.kind === 'bearer') headers.authorization = `Bearer ${session.bearer}`;
    else if (carrier.in === 'cookie') {
      headers.cookie = [headers.cookie, `${carrier.name}=${session.cookie}`].filter(Boolean).join('; ');
      // A write with the session cookie from another site's page is refused (403 CROSS_SITE_REQUEST,
      // its own cases in test/api/session.test.ts), so a random Origin is no longer noise there.
      if (!['get', 'head'].includes(operation.method.toLowerCase())) delete headers.origin;
    }
    else if (carrier.in === 'header') headers[carrier.name.toLowerCase()] = session.cookie;
    else throw new Error(`API keys in the ${carrier.in} are not supported`);
  }

  async function forged(flavour: Extract<CredentialPlan, { kind: 'forged-jwt' }>['flavour']): Promise<string> {
    const { config, jwt } = t.app.services;
    const claims = { userId: me.userId, sessionId: forger.id, scopes: scopes as Scope[] };
    switch (flavour) {
      case 'expired':
        return createJwtService({ ...config.jwt, ttlSeconds: -120 }).issue(claims);
      case 'foreign-key':
        return createJwtService({ ...config.jwt, secret: 'another-service-secret-0123456789abcdef' }).issue(claims);
      case 'unknown-session':
        return jwt.issue({ ...claims, sessionId: randomUUID() });
      case 'other-user':
        return jwt.issue({ ...claims, userId: me.userId + 1000 });
      case 'alg-none': {
        const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        const payload = { sub: String(me.userId), sid: forger.id, scope: scopes.join(' '), iat: now, exp: now + 600, iss: config.jwt.issuer, aud: config.jwt.audience };
        return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
      }
    }
  }

  /** Sessions that must be refused stay what they are (a refused request changes nothing), so one of each kind serves every request. */
  const refusedSessions = new Map<string, Session>();
  async function refused(kind: string, make: () => Promise<Session>): Promise<Session> {
    let session = refusedSessions.get(kind);
    if (!session) refusedSessions.set(kind, (session = await make()));
    return session;
  }

  /** Puts the plan's credentials on the request; returns the session a non-safe method used, if any. */
  async function credentials(operation: OperationModel, plan: RequestPlan, headers: Record<string, string>): Promise<Session | undefined> {
    const c = plan.credential;
    switch (c.kind) {
      case 'none':
        return undefined;
      case 'valid':
        if (isSafeMethod(operation.method)) {
          place(headers, operation, c.scheme, shared);
          return undefined;
        }
        writer ??= await mint(scopes);
        place(headers, operation, c.scheme, writer);
        return writer;
      case 'junk-authorization':
        headers.authorization = c.value;
        return undefined;
      case 'junk-key':
        place(headers, operation, c.scheme, { bearer: c.value, cookie: c.value, id: '' });
        return undefined;
      case 'revoked':
        place(headers, operation, c.scheme, await refused('revoked', async () => {
          const session = await mint(scopes);
          await t.app.services.store.sessions.revoke(session.id);
          return session;
        }));
        return undefined;
      case 'lacking-scope':
        place(headers, operation, c.scheme, await refused(`scopes ${c.scopes.join(' ')}`, () => mint(c.scopes)));
        return undefined;
      case 'forged-jwt':
        headers.authorization = `Bearer ${await forged(c.flavour)}`;
        return undefined;
    }
  }

  function tally(operation: OperationModel, status: number): void {
    stats.requests++;
    if (status >= 500) stats.serverErrors++;
    const statuses = stats.byOperation.get(operation.operationId) ?? new Map<number, number>();
    stats.byOperation.set(operation.operationId, statuses.set(status, (statuses.get(status) ?? 0) + 1));
  }

  async function send(plan: RequestPlan): Promise<void> {
    const operation = byId.get(plan.operationId) ?? assert.fail(`unknown operation ${plan.operationId}`);
    const { url, init } = toHttp(t.baseUrl, operation, plan);
    const session = await credentials(operation, plan, init.headers);
    const { status, headers, text } = await exchange(url, init);
    // A successful non-safe request may have ended its session (sign-out): the next one then gets a new one.
    if (session && status < 300 && !(await t.app.services.store.sessions.get(session.id))) writer = undefined;
    tally(operation, status);

    const type = headers.get('content-type') ?? '';
    const mediaType = (type.split(';')[0] ?? '').trim().toLowerCase();
    const body: unknown = text === '' ? undefined : /json/.test(type) ? JSON.parse(text) : text;
    const problem = mediaType === 'application/problem+json' ? (body as Json) : undefined;
    const said = `${operation.method} ${url.slice(t.baseUrl.length)} answered ${status} ${text.slice(0, 300)}`;
    // Every answer goes through the same independent check as any test's (status, content type, headers, body).
    try {
      checkAnswer({ method: operation.method, path: url, status, headers, body });
    } catch (error) {
      if (!(error instanceof ContractViolation)) throw error;
      throw new Error(`${plan.intent} request${plan.why ? ` (${plan.why})` : ''}: ${error.message}`, { cause: error });
    }
    // A request line past the server's bound on headers (a long value in many-byte characters, each
    // sent as nine bytes) is refused as such before anything reads it: 431, documented everywhere.
    const tooLarge = url.length - t.baseUrl.length > MAX_HEADER_BYTES;
    const expecting = tooLarge && plan.intent === 'invalid' ? { ...plan, expect: [...(plan.expect ?? []), { status: 431, code: 'REQUEST_HEADERS_TOO_LARGE' }] } : plan;
    verdict(expecting, operation, { status, type, mediaType, text, body, problem, said, headers });
  }

  function verdict(plan: RequestPlan, operation: OperationModel, answer: Answer): void {
    const { status, type, mediaType, text, body, problem, said } = answer;

    assert.ok(status < 500, `no 5xx when the git hosts behave: ${said}`);
    assert.ok(declares(operation, status), `status ${status} is declared for ${operation.operationId}: ${said}`);
    if (text !== '') assert.ok(type !== '', `a body has a content type: ${said}`);

    if (plan.intent === 'valid') {
      assert.ok(!isSchemaRejection(status, problem), `a valid request is not rejected as invalid: ${said}`);
      if (operation.protected) {
        assert.notEqual(status, 401, `valid credentials are accepted: ${said}`);
        assert.ok(!(status === 403 && problem?.code === 'FORBIDDEN'), `credentials with the needed scope are enough: ${said}`);
      }
      harvest(operation, status, mediaType, body, answer.headers);
    } else {
      const expected = plan.expect ?? [];
      assert.ok(
        expected.some((e) => e.status === status && problem?.code === e.code),
        `${plan.why}: expected ${expected.map((e) => `${e.status} ${e.code}`).join(' or ')}: ${said}`,
      );
      if (status === 400) assert.ok(Array.isArray(problem?.issues) && problem.issues.length > 0, `a 400 lists its issues: ${said}`);
    }
  }

  /** Remembers what a valid answer carried, for later requests (see Observations). */
  function harvest(operation: OperationModel, status: number, mediaType: string, body: unknown, headers: Headers): void {
    const schema = /json/.test(mediaType) ? responseSchema(operation, status, mediaType) : undefined;
    if (schema) observations.record(schema, body);
    const etag = headers.get('etag');
    if (etag && !ctx.etags.includes(etag)) {
      ctx.etags.push(etag);
      if (ctx.etags.length > 32) ctx.etags.shift();
    }
  }

  (['valid', 'invalid', 'auth'] as const).forEach((intent, i) => {
    const numRuns = Math.max(1, Math.round(TOTAL * SHARES[intent]));
    // Thousands of requests: minutes on a busy machine, and still a bound, so a hung request fails.
    test(`${intent} requests to every operation (${numRuns} runs, seed ${SEED + i})`, { timeout: 600_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(mixed(intent), (plan) => send(plan)),
        { numRuns, seed: SEED + i, includeErrorInReport: true },
      );
    });
  });

  test('every planned request was made', () => {
    assert.ok(stats.requests >= TOTAL, `${stats.requests} requests, ${TOTAL} planned`);
  });
});

/**
 * A 400 from schema validation, as opposed to one the handler decides on its own (a sign-in callback
 * whose state matches no sign-in): its issues speak the validator's language.
 */
function isSchemaRejection(status: number, problem: Json | undefined): boolean {
  if (status !== 400 || !problem) return false;
  const issues = Array.isArray(problem.issues) ? (problem.issues as Array<{ message?: string }>) : [];
  return issues.length === 0 || issues.some((i) => /^(must|should) |unknown query parameter|empty value|not valid json|unsupported/i.test(i.message ?? ''));
}
