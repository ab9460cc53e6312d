/**
 * Listings, the spec and the reference are compressed (br, else gzip) when the client accepts it, and
 * sent as they are otherwise or when COMPRESS_RESPONSES=false (a proxy in front compresses).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Encoded, preferred } from '../../src/http/compression.ts';
import { generateRepos } from '../fakes/github/index.ts';
import { rawGet, type RawAnswer } from '../support/checked.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

const repos = generateRepos(150, { owner: { login: 'octocat' }, seed: 11 });

function varies(answer: RawAnswer): string[] {
  return String(answer.headers.vary ?? '').split(',').map((v) => v.trim().toLowerCase());
}

describe('answers compressed when the client accepts it', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] } });
    token = (await t.signIn('octocat')).token;
  });
  afterAll(() => t.close());

  const listing = (encoding?: string, extra: Record<string, string> = {}) =>
    rawGet(`${t.baseUrl}/api/v1/repos?per_page=100`, { headers: { authorization: `Bearer ${token}`, ...(encoding === undefined ? {} : { 'accept-encoding': encoding }), ...extra } });

  test('when a listing is asked with br and gzip accepted, then it comes in br, the same JSON in fewer bytes, with Vary: Accept-Encoding', async () => {
    const plain = await listing();
    const br = await listing('gzip, deflate, br');
    assert.equal(plain.status, 200);
    assert.equal(br.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.deepEqual(JSON.parse(br.body), JSON.parse(plain.body));
    assert.equal((JSON.parse(br.body) as { repositories: unknown[] }).repositories.length, 100);
    assert.equal(br.headers['content-length'], String(br.wireBytes));
    assert.equal(plain.headers['content-length'], String(plain.wireBytes));
    assert.ok(br.wireBytes * 4 < plain.wireBytes, `${br.wireBytes} bytes compressed, ${plain.wireBytes} as they are`);
    for (const answer of [plain, br]) assert.ok(varies(answer).includes('accept-encoding'), String(answer.headers.vary));
    // One weak ETag for every coding of the answer (RFC 9110 §8.8.3.3), so a revalidation in any coding gets its 304.
    assert.match(String(br.headers.etag), /^W\//);
    assert.equal(br.headers.etag, plain.headers.etag);
    const again = await listing('br', { 'if-none-match': String(plain.headers.etag) });
    assert.equal(again.status, 304);
    assert.ok(varies(again).includes('accept-encoding'));
  });

  test('when only gzip is accepted, then gzip; when neither is, or both at q=0, then the body as it is', async () => {
    const gzip = await listing('gzip');
    assert.equal(gzip.status, 200);
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    for (const refused of ['identity', 'br;q=0, gzip;q=0', 'deflate']) {
      const answer = await listing(refused);
      assert.equal(answer.status, 200, refused);
      assert.equal(answer.headers['content-encoding'], undefined, refused);
      assert.equal(answer.headers['content-length'], String(answer.wireBytes), refused);
    }
    const preferred = await listing('br;q=0.5, gzip;q=1');
    assert.equal(preferred.headers['content-encoding'], 'gzip', 'the client prefers gzip');
  });

  test('when the spec and the reference are asked with br accepted, then they come compressed', async () => {
    for (const path of ['/api/v1/openapi.json', '/docs']) {
      const plain = await rawGet(`${t.baseUrl}${path}`);
      const br = await rawGet(`${t.baseUrl}${path}`, { headers: { 'accept-encoding': 'br' } });
      assert.equal(br.status, 200, path);
      assert.equal(br.headers['content-encoding'], 'br', path);
      assert.equal(br.body, plain.body, path);
      assert.ok(br.wireBytes < plain.wireBytes, path);
      assert.ok(varies(br).includes('accept-encoding'), path);
    }
  });
});

test('with COMPRESS_RESPONSES=false, then nothing is compressed and Vary does not name Accept-Encoding', async () => {
  const t = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] }, env: { COMPRESS_RESPONSES: 'false' } });
  try {
    const { token } = await t.signIn('octocat');
    for (const path of ['/api/v1/repos?per_page=100', '/api/v1/openapi.json', '/docs']) {
      const answer = await rawGet(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'br, gzip' } });
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers['content-encoding'], undefined, path);
      assert.ok(!varies(answer).includes('accept-encoding'), path);
    }
  } finally {
    await t.close();
  }
});

test('a body is compressed once per coding, and the same bytes are sent again', () => {
  const body = new Encoded(Buffer.from(JSON.stringify(repos)));
  const br = body.in('br');
  assert.equal(body.in('br'), br);
  assert.notEqual(body.in('gzip'), br);
  assert.equal(body.in(undefined), body.identity);
});

test('Accept-Encoding: the higher weight wins, br on a tie, `*` for codings not named, weight 0 refuses', () => {
  const cases: Array<[string, string]> = [
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip;q=0.8, br;q=0.9', 'br'],
    ['*', 'br'],
    ['gzip;q=0, *;q=0.1', 'br'],
    ['br;q=0, *', 'gzip'],
    ['identity', 'identity'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['deflate, compress', 'identity'],
    ['GZIP', 'gzip'],
  ];
  for (const [header, expected] of cases) assert.equal(preferred(header), expected, header);
});
