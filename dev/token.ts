/**
 * `npm run token -- [--login octocat] [--scopes repos:read] [--ttl 3600] [--github-token gho_…]`
 *
 * Creates (or reuses) a user and a session in the sandbox's database (./data/sandbox, or DATA_DIR /
 * DATABASE_URL) and prints a bearer token. The sandbox's accounts (octocat, hubot, newcomer, the state
 * accounts…) get their fake GitHub token linked, so the token works against `npm run dev` at once. The
 * embedded database is single-process: run this while the sandbox is stopped (its banner prints a token per account), or
 * against PostgreSQL at any time; beside a running sandbox it refuses in one line.
 */
import { parseArgs } from 'node:util';
import { ALL_SCOPES, type Scope } from '../src/auth/jwt.ts';
import { loadConfig } from '../src/config.ts';
import { idFor, tokenFor } from '../test/fakes/github/index.ts';
import { openStore } from '../src/store/index.ts';
import { issueDevToken } from './dev-token.ts';
import { runningSandbox } from './running.ts';
import { SANDBOX_ACCOUNTS, SANDBOX_DATA_DIR } from './start-sandbox.ts';

const USAGE = `Usage: npm run token -- [options]

Prints a bearer token for a user of the sandbox's database (${SANDBOX_DATA_DIR}, or DATA_DIR / DATABASE_URL).
Run it while the sandbox is stopped: the embedded database takes one process at a time.

Options:
  --login <login>         the user (default octocat; ${SANDBOX_ACCOUNTS.map((a) => a.login).join(', ')} are the fake GitHub's accounts)
  --scopes <list>         comma-separated, from ${ALL_SCOPES.join(', ')} (default all)
  --ttl <seconds>         how long the token lives (default 43200, 12 h)
  --github-token <token>  link this GitHub token to the user (the fake's token for its own accounts)
  -h, --help              this text

Example:
  npm run token -- --login hubot --scopes repos:read
  curl -H "Authorization: Bearer $(npm run -s token)" 'http://localhost:3000/api/v1/repos?per_page=5'
`;

let values: { login: string; scopes: string; ttl: string; 'github-token'?: string | undefined; help?: boolean | undefined };
try {
  ({ values } = parseArgs({
    options: {
      login: { type: 'string', default: 'octocat' },
      scopes: { type: 'string', default: ALL_SCOPES.join(',') },
      ttl: { type: 'string', default: String(12 * 3600) },
      'github-token': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const scopes = values.scopes.split(',').map((s) => s.trim()) as Scope[];
const unknown = scopes.filter((s) => !ALL_SCOPES.includes(s));
const ttl = Number(values.ttl);
if (unknown.length || !Number.isInteger(ttl) || ttl <= 0) {
  process.stderr.write(`${unknown.length ? `unknown scope(s): ${unknown.join(', ')}` : `--ttl must be a positive number of seconds`}\n\n${USAGE}`);
  process.exit(2);
}

const config = loadConfig({ ...process.env, DATA_DIR: process.env.DATA_DIR ?? SANDBOX_DATA_DIR });
// A token written beside a running sandbox would be one it never sees (its database is its own while it runs).
const running = config.databaseUrl ? undefined : runningSandbox(config.dataDir);
if (running) {
  process.stderr.write(
    `npm run token: the sandbox (process ${running.pid}, ${running.appUrl}) has ${config.dataDir} open, and the embedded database takes one process at a time: use a token from its banner, or stop it and run this again\n`,
  );
  process.exit(1);
}
const sandboxAccount = SANDBOX_ACCOUNTS.some((a) => a.login === values.login);
const githubToken = values['github-token'] ?? (sandboxAccount ? tokenFor(values.login) : undefined);
const store = await openStore({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir, secretKey: config.secretKey });
try {
  const { user, token, expiresIn } = await issueDevToken(store, config, {
    login: values.login,
    scopes,
    ttlSeconds: ttl,
    ...(githubToken ? { githubToken } : {}),
    ...(sandboxAccount ? { githubId: idFor(values.login) } : {}),
  });
  process.stderr.write(`user ${user.login} (id ${user.id}) in ${config.databaseUrl ? 'PostgreSQL' : config.dataDir}, scopes ${scopes.join(' ')}, valid for ${expiresIn} s\n`);
  process.stdout.write(`${token}\n`);
} finally {
  await store.close();
}
