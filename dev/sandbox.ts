/**
 * `npm run dev`: the stateful sandbox. The real app on the embedded database, against a fake GitHub on
 * loopback (and a fake GitVerse, GitLab and Bitbucket) seeded with a few hundred realistic repositories of
 * every kind and visibility, plus the Prism mock and the reference picker. Sign-in through the fake OAuth works in a browser (the fake
 * shows its accounts to pick from, one per state a picker draws) and ends on the picker; connect and
 * disconnect stick (in ./data/sandbox). Any http://localhost:* or http://127.0.0.1:* page may call it with
 * credentials; CORS_ORIGINS adds more origins.
 */
import { spawn } from 'node:child_process';
import { pickerBuilt } from './picker-server.ts';
import { partsOf, portProblem, sandboxPorts, SandboxPortError, type SandboxPorts } from './ports.ts';
import { markRunning, runningSandbox } from './running.ts';
import { sandboxHosts } from '../test/fakes/hosts.ts';
import { curlLine, SANDBOX_DATA_DIR, startSandbox } from './start-sandbox.ts';

/** One line on stderr and exit 1: how a sandbox that cannot start says so. */
function refuse(line: string): never {
  process.stderr.write(`Sandbox cannot start: ${line}\n`);
  process.exit(1);
}

// Every port and the database's folder are checked before anything is started or opened.
let ports: SandboxPorts;
try {
  ports = sandboxPorts(process.env);
} catch (error) {
  if (!(error instanceof SandboxPortError)) throw error;
  refuse(error.message);
}
const dataDir = process.env.DATA_DIR ?? SANDBOX_DATA_DIR;
const other = process.env.DATABASE_URL ? undefined : runningSandbox(dataDir);
if (other) refuse(`another sandbox (process ${other.pid}, ${other.appUrl}) has ${dataDir} open: stop it, or give this one DATA_DIR=./data/sandbox-2`);
const taken = await portProblem(ports);
if (taken) refuse(taken);

// The app's request log is quiet (the banner's terminal stays readable); SANDBOX_REQUEST_LOG=true turns it on.
const requestLog = /^(true|1)$/i.test(process.env.SANDBOX_REQUEST_LOG ?? '');
const MOCK_PORT = ports.mock.port;

if (!pickerBuilt()) {
  console.error('✖ the reference picker is not built: run `npm run build:picker` (npm run dev does it first)');
  process.exit(1);
}
const sandbox = await startSandbox({
  port: ports.app.port,
  pickerPort: ports.picker.port,
  mockUrl: `http://127.0.0.1:${MOCK_PORT}`,
  hostPorts: Object.fromEntries(Object.entries(ports.hosts).map(([provider, part]) => [provider, part.port])),
  latencyMs: Number(process.env.SANDBOX_GITHUB_LATENCY_MS ?? 30),
  env: {
    ...process.env,
    METRICS_PORT: ports.metrics ? String(ports.metrics.port) : 'off',
    LOG_LEVEL: process.env.LOG_LEVEL ?? (requestLog ? 'info' : 'warn'),
  },
});
const unmark = markRunning(dataDir, sandbox.appUrl);

const mock = spawn(process.execPath, ['node_modules/@stoplight/prism-cli/dist/index.js', 'mock', 'openapi/dist/openapi.yaml', '--port', String(MOCK_PORT), '--host', '127.0.0.1'], {
  stdio: 'ignore',
});

const app = sandbox.appUrl;
const hosts = sandboxHosts();
const accounts = sandbox.accounts
  .map(
    (a) => `  ${a.login} (${a.repos} repositories on the fake GitHub${a.gitverse ? `, ${a.gitverse} on the fake GitVerse` : ''}${a.login === 'octocat' ? '; a few connected at the first start' : ''})
    ${curlLine(app, a.token)}`,
  )
  .concat(
    sandbox.hostAccounts.map((a) => {
      const [, host] = hosts.find(([p]) => p === a.provider)!;
      return `  ${a.login} (${a.count} ${host.unit} on the fake ${host.displayName}; signed in with ${host.displayName})\n    ${curlLine(app, a.token)}`;
    }),
  )
  .join('\n\n');
// One table: the accounts that sign in with GitHub, then those of the other hosts that show a state.
const rows = [...sandbox.accounts, ...sandbox.hostAccounts.filter((a) => a.shows && a.prefer)].map((a) => ({ login: a.login, prefer: a.prefer ?? '', shows: a.shows ?? '' }));
const width = (f: (a: (typeof rows)[number]) => string) => Math.max(...rows.map((a) => f(a).length));
const [loginWidth, preferWidth] = [width((a) => a.login), width((a) => a.prefer)];
const states = rows.map((a) => `  ${a.login.padEnd(loginWidth)}  ${a.prefer.padEnd(preferWidth)}  ${a.shows}`).join('\n');
// Each host with a sign-in page, and the accounts it offers.
const signIns = hosts
  .filter(([, host]) => host.signIn)
  .map(([provider, host]) => {
    const logins = [...sandbox.hosts[provider].state.accounts.values()].map((account) => account.user.login);
    return `${app}/api/v1/auth/${provider}/login   (the fake ${host.displayName} asks which account: ${logins.join(', ')})`;
  })
  .join('\n             ');
const fakeLines = hosts.map(([provider, host]) => `  fake ${host.displayName} ${sandbox.hosts[provider].baseUrl}${host.note ? `   (${host.note})` : ''}`).join('\n');

const portLines = partsOf(ports)
  .map((p) => `    ${String(p.port).padEnd(6)} ${p.name.replace(/^the /, '').padEnd(20)} ${p.variable}`)
  .join('\n');

process.stdout.write(`
Repositories API sandbox (Node ${process.version})
  picker     ${sandbox.pickerUrl}   (the reference picker; ${sandbox.pickerUrl}?api=mock draws the mock's states)
  app        ${app}/api/v1/repos
  sign in    ${signIns}
  docs       ${app}/docs
  mock       http://127.0.0.1:${MOCK_PORT}/api/v1/repos   (Prism; see mocks/README.md for its states)
${fakeLines}
  metrics    ${sandbox.metricsUrl ?? 'off (METRICS_PORT=off)'}   (operators only; not on the API port)
  CORS       ${sandbox.corsOrigins.join(', ')}   (with credentials; CORS_ORIGINS=https://… npm run dev adds more)
  request log ${requestLog ? 'on' : 'off (SANDBOX_REQUEST_LOG=true npm run dev shows one JSON line per request)'}

Ports (SANDBOX_PORT=${ports.base} moves them all; each part's variable moves it alone):
${portLines}

Every state, by account (sign in as it from the picker) beside the mock's Prefer header for the same state:

  ${'account'.padEnd(loginWidth)}  ${'mock: Prefer'.padEnd(preferWidth)}  what the picker shows
${states}

Bearer tokens (12 h), one per account, ready to paste:

${accounts}

Press Ctrl+C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    mock.kill();
    unmark();
    void sandbox.stop().then(() => process.exit(0));
  });
}
