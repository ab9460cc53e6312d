/**
 * `npm run dev`: the stateful sandbox. The real app on the embedded database, against a fake GitHub on
 * loopback (and a fake GitVerse) seeded with a few hundred realistic repositories of every kind and visibility, plus the Prism
 * mock. Sign-in through the fake OAuth works in a browser; connect and disconnect stick (in ./data/sandbox).
 */
import { spawn } from 'node:child_process';
import { loadConfig } from '../src/config.ts';
import { createStateGraphqlHandler } from '../test/fakes/github/graphql.ts';
import { generateRepos, idFor, startFakeGithub, tokenFor } from '../test/fakes/github/index.ts';
import { generateGitverseRepos, gitverseTokenFor, startFakeGitverse } from '../test/fakes/gitverse/index.ts';
import { KIND_CORPUS } from '../test/fixtures/kind-corpus.ts';
import { startServer } from '../src/server.ts';
import { issueDevToken } from './dev-token.ts';

const APP_PORT = Number(process.env.PORT ?? 3000);
const GITHUB_PORT = Number(process.env.SANDBOX_GITHUB_PORT ?? 3001);
const GITVERSE_PORT = Number(process.env.SANDBOX_GITVERSE_PORT ?? 3002);
const MOCK_PORT = Number(process.env.SANDBOX_MOCK_PORT ?? 4010);
const LOGIN = 'octocat';
const CLIENT = { id: 'Iv1.sandbox', secret: 'sandbox-client-secret' };

const corpusFiles = (i: number) => ({ ...KIND_CORPUS[i % KIND_CORPUS.length]?.files });
const fake = await startFakeGithub({
  port: GITHUB_PORT,
  latencyMs: Number(process.env.SANDBOX_GITHUB_LATENCY_MS ?? 30),
  clientId: CLIENT.id,
  clientSecret: CLIENT.secret,
  users: [
    { login: LOGIN, name: 'The Octocat', repos: generateRepos(320, { owner: { login: LOGIN }, seed: 42, files: (_r, i) => corpusFiles(i) }) },
    { login: 'hubot', name: 'Hubot', repos: generateRepos(12, { owner: { login: 'hubot' }, seed: 7, files: (_r, i) => corpusFiles(i + 5) }) },
    { login: 'newcomer', name: 'New Comer', repos: [] },
  ],
});
fake.state.graphql = createStateGraphqlHandler(fake.state);

const gitverse = await startFakeGitverse({
  port: GITVERSE_PORT,
  latencyMs: Number(process.env.SANDBOX_GITHUB_LATENCY_MS ?? 30),
  users: [
    { login: LOGIN, full_name: 'Octo Cat', repos: generateGitverseRepos(60, { owner: { login: LOGIN }, seed: 43, filesFor: (_r, i) => corpusFiles(i + 11) }) },
    { login: 'hubot', full_name: 'Hubot', scopes: ['public_api'], repos: generateGitverseRepos(5, { owner: { login: 'hubot' }, seed: 8 }) },
  ],
});

const config = loadConfig({
  ...process.env,
  PORT: String(APP_PORT),
  PUBLIC_URL: `http://localhost:${APP_PORT}`,
  DATA_DIR: process.env.DATA_DIR ?? './data/sandbox',
  GITHUB_API_URL: fake.baseUrl,
  GITHUB_WEB_URL: fake.baseUrl.replace('127.0.0.1', 'localhost'),
  GITHUB_CLIENT_ID: CLIENT.id,
  GITHUB_CLIENT_SECRET: CLIENT.secret,
  GITVERSE_API_URL: gitverse.baseUrl,
  GITVERSE_WEB_URL: gitverse.baseUrl,
});
const { stop, services, metricsServer } = await startServer(config);
const metricsAddress = metricsServer?.address();
const { token, user } = await issueDevToken(services.store, config, { login: LOGIN, githubToken: tokenFor(LOGIN), githubId: idFor(LOGIN) });
if (!(await services.store.tokens.get(user.id, 'gitverse'))) {
  await services.store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor(LOGIN), login: LOGIN, scopes: ['read:public_api'] });
}

const mock = spawn(process.execPath, ['node_modules/@stoplight/prism-cli/dist/index.js', 'mock', 'openapi/dist/openapi.yaml', '--port', String(MOCK_PORT), '--host', '127.0.0.1'], {
  stdio: 'ignore',
});

const app = `http://localhost:${APP_PORT}`;
process.stdout.write(`
Repositories API sandbox (Node ${process.version})
  app        ${app}/api/v1/repos
  sign in    ${app}/api/v1/auth/github/login   (fake GitHub accounts: octocat, hubot, newcomer; add ?login= on the fake's page)
  docs       ${app}/docs
  metrics    ${metricsAddress && typeof metricsAddress === 'object' ? `http://${config.metrics.host}:${metricsAddress.port}/metrics   (operators only; not on the API port)` : 'off (METRICS_PORT=off)'}
  mock       http://127.0.0.1:${MOCK_PORT}/api/v1/repos   (Prism; see mocks/README.md for its states)
  fake GitHub ${fake.baseUrl}
  fake GitVerse ${gitverse.baseUrl}   (${LOGIN}'s GitVerse is linked; link hubot's with PUT /api/v1/me/providers/gitverse {"token":"${gitverseTokenFor('hubot')}"})

  bearer token for ${LOGIN} (12 h):
  ${token}

  curl -H "Authorization: Bearer ${token.slice(0, 12)}…" ${app}/api/v1/repos?per_page=5

Press Ctrl+C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    mock.kill();
    void stop()
      .then(() => Promise.all([fake.close(), gitverse.close()]))
      .then(() => process.exit(0));
  });
}
