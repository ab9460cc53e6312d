/**
 * Slow clients, on real sockets: the request line and headers within HEADERS_TIMEOUT_MS, the whole
 * request within REQUEST_TIMEOUT_MS, else a 408 problem and the connection is closed; a problem
 * answered before the body arrived (a 401) closes the connection instead of waiting on the rest.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { checkAnswer } from '../support/checked.ts';
import { startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';

const HEADERS_MS = 1_000;
const REQUEST_MS = 2_000;

interface RawExchange {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** From the first byte written to the connection's close. */
  closedAfterMs: number;
}

/** Writes `sent` and nothing more, then reads until the server closes the connection (or `giveUpMs`). */
function sendAndWait(baseUrl: string, sent: string, giveUpMs = 10_000): Promise<RawExchange> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(sent));
    let raw = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was still open after ${giveUpMs} ms; got: ${raw.slice(0, 200)}`));
    }, giveUpMs);
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, closedAfterMs: performance.now() - started });
    });
  });
}

describe('slow clients', () => {
  let t: TestApp;
  let user: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'octocat', repos: [] }] }, env: { HEADERS_TIMEOUT_MS: String(HEADERS_MS), REQUEST_TIMEOUT_MS: String(REQUEST_MS) } });
    user = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  test('when the headers never finish, then 408 REQUEST_TIMEOUT as problem+json and the connection is closed, on every operation', async () => {
    const answers = await Promise.all(
      t.app.services.operations.all.map(async (op) => {
        const path = op.template.replace('{provider}', 'github').replace('{repo_id}', '1');
        return { op, path, answer: await sendAndWait(t.baseUrl, `${op.method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `) };
      }),
    );
    for (const { op, path, answer } of answers) {
      assert.equal(answer.status, 408, `${op.method} ${path}`);
      assert.equal(answer.headers.connection, 'close');
      const problem = JSON.parse(answer.body) as { code: string; request_id: string };
      assert.equal(problem.code, 'REQUEST_TIMEOUT');
      assert.equal(problem.request_id, answer.headers['x-request-id']);
      // Bounded by the setting plus the server's deadline check (every second), with room for a loaded machine.
      assert.ok(answer.closedAfterMs < HEADERS_MS + 4_000, `closed after ${Math.round(answer.closedAfterMs)} ms`);
      checkAnswer(op.method, `${t.baseUrl}${path}`, answer.status, answer.headers, answer.body);
    }
  });

  test('when a signed-in upload never finishes its body, then 408 and the connection is closed within the request bound', async () => {
    const answer = await sendAndWait(
      t.baseUrl,
      `POST /api/v1/connections HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"provider":`,
    );
    assert.equal(answer.status, 408);
    assert.equal((JSON.parse(answer.body) as { code: string }).code, 'REQUEST_TIMEOUT');
    assert.ok(answer.closedAfterMs < REQUEST_MS + 4_000, `closed after ${Math.round(answer.closedAfterMs)} ms`);
  });

  test('when an upload without credentials is answered 401 before its body arrived, then the connection closes with the answer', async () => {
    const answer = await sendAndWait(
      t.baseUrl,
      'POST /api/v1/connections HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"provider":',
    );
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.connection, 'close');
    assert.ok(answer.closedAfterMs < REQUEST_MS, `closed after ${Math.round(answer.closedAfterMs)} ms: it waited for the body`);
  });
});
