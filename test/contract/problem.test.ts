import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { ApiProblem, MAX_RETRY_AFTER, problems, SESSION_EXPIRED_DETAIL } from '../../src/contract/problem.ts';

const shape = (p: ApiProblem) => ({ status: p.status, code: p.code, title: p.title, detail: p.detail, extras: p.extras });

describe('the problem factory', () => {
  test('when a problem is made, then it is an Error named ApiProblem whose message is its detail, and its cause is kept only when given', () => {
    const cause = new Error('socket hang up');
    const p = new ApiProblem(502, 'UPSTREAM_UNAVAILABLE', 'GitHub is down.', { provider: 'github' }, cause);
    assert.ok(p instanceof Error);
    assert.equal(p.name, 'ApiProblem');
    assert.equal(p.message, 'GitHub is down.');
    assert.equal(p.cause, cause);
    const plain = new ApiProblem(404, 'NOT_FOUND', 'No such thing.');
    assert.equal('cause' in plain, false);
    assert.deepEqual(plain.extras, {});
  });

  test('when each factory is called, then status, code, title, detail and extras are those of the error model', () => {
    assert.deepEqual(shape(problems.unauthorized()), { status: 401, code: 'UNAUTHORIZED', title: 'Unauthorized', detail: 'Missing, invalid or expired credentials.', extras: {} });
    assert.equal(problems.unauthorized('Signed out.').detail, 'Signed out.');
    assert.deepEqual(shape(problems.sessionExpired()), { status: 401, code: 'SESSION_EXPIRED', title: 'Session expired', detail: SESSION_EXPIRED_DETAIL, extras: {} });
    assert.deepEqual(shape(problems.forbidden('Needs repos:write.')), { status: 403, code: 'FORBIDDEN', title: 'Forbidden', detail: 'Needs repos:write.', extras: {} });
    assert.deepEqual(shape(problems.providerAuth('github', 'Reconnect.')), {
      status: 403, code: 'GITHUB_AUTH', title: 'GitHub authorization failed', detail: 'Reconnect.', extras: { reconnect: true, provider: 'github' },
    });
    assert.deepEqual(shape(problems.providerAuth('gitverse', 'Link again.')), {
      status: 403, code: 'PROVIDER_AUTH', title: 'Git host authorization failed', detail: 'Link again.', extras: { reconnect: true, provider: 'gitverse' },
    });
    assert.deepEqual(shape(problems.notFound('Gone.')), { status: 404, code: 'NOT_FOUND', title: 'Not found', detail: 'Gone.', extras: {} });
    assert.deepEqual(shape(problems.upstreamUnavailable('gitverse', 'Down.')), {
      status: 502, code: 'UPSTREAM_UNAVAILABLE', title: 'Git host unavailable', detail: 'Down.', extras: { provider: 'gitverse' },
    });
    assert.deepEqual(shape(problems.upstreamTimeout('github', 'Slow.')), {
      status: 504, code: 'UPSTREAM_TIMEOUT', title: 'Git host timeout', detail: 'Slow.', extras: { provider: 'github' },
    });
    assert.deepEqual(shape(problems.internal()), { status: 500, code: 'INTERNAL', title: 'Internal server error', detail: 'An unexpected error occurred.', extras: {} });
  });

  test('when validation issues are given, then field_errors keeps the first message of each field and issues keeps them all', () => {
    const issues = [
      { path: 'query.page', message: 'must be >= 1' },
      { path: 'query.page', message: 'must be an integer' },
      { path: 'query.kind', message: 'must be one of the kinds' },
    ];
    const p = problems.validation(issues);
    assert.deepEqual(shape(p), {
      status: 400, code: 'VALIDATION_FAILED', title: 'Validation failed', detail: 'The request is not valid.',
      extras: { field_errors: { 'query.page': 'must be >= 1', 'query.kind': 'must be one of the kinds' }, issues },
    });
    assert.equal(problems.validation([], 'Body missing.').detail, 'Body missing.');
  });

  test('when a wait is asked for, then retry_after is whole seconds from 1 to a day, 60 when it is not a number, with the provider only when given', () => {
    const wait = (s: number) => problems.rateLimited(s, 'Slow down.').extras.retry_after;
    assert.equal(wait(0), 1);
    assert.equal(wait(-30), 1);
    assert.equal(wait(1.2), 2);
    assert.equal(wait(59), 59);
    assert.equal(wait(MAX_RETRY_AFTER), 86_400);
    assert.equal(wait(MAX_RETRY_AFTER + 5), 86_400);
    assert.equal(wait(Number.NaN), 60);
    assert.equal(wait(Number.POSITIVE_INFINITY), 60);
    assert.deepEqual(shape(problems.rateLimited(5, 'Slow down.')), { status: 429, code: 'RATE_LIMITED', title: 'Too many requests', detail: 'Slow down.', extras: { retry_after: 5 } });
    assert.deepEqual(problems.rateLimited(5, 'Slow down.', 'gitverse').extras, { retry_after: 5, provider: 'gitverse' });
  });

  test('when a write comes from another site, then 403 CROSS_SITE_REQUEST names where from, printable and at most 200 characters of it', () => {
    const p = problems.crossSite('https://evil.example');
    assert.equal(p.status, 403);
    assert.equal(p.code, 'CROSS_SITE_REQUEST');
    assert.equal(p.title, 'Cross-site request refused');
    assert.equal(p.detail, 'This write is authenticated by the session cookie and comes from https://evil.example, which is not a trusted origin; nothing was changed.');
    assert.match(problems.crossSite('https://é\u0000.example').detail, /from https:\/\/\?\?\.example,/);
    const long = problems.crossSite(`https://${'a'.repeat(300)}`).detail;
    assert.ok(long.includes(`from https://${'a'.repeat(192)}, which`));
  });
});
