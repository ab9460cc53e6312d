/**
 * `npm run token -- --login alice [--scopes repos:read] [--ttl 3600] [--github-token gho_…]`
 *
 * Creates a user and a session in the configured database and prints a bearer token. The embedded
 * database is single-process: run this while the server is stopped, or against PostgreSQL at any time.
 */
import { parseArgs } from 'node:util';
import { ALL_SCOPES, type Scope } from '../src/auth/jwt.ts';
import { loadConfig } from '../src/config.ts';
import { openStore } from '../src/store/index.ts';
import { issueDevToken } from './dev-token.ts';

const { values } = parseArgs({
  options: {
    login: { type: 'string', default: 'dev' },
    scopes: { type: 'string', default: ALL_SCOPES.join(',') },
    ttl: { type: 'string', default: String(12 * 3600) },
    'github-token': { type: 'string' },
  },
});

const config = loadConfig();
const scopes = values.scopes.split(',').map((s) => s.trim()) as Scope[];
const unknown = scopes.filter((s) => !ALL_SCOPES.includes(s));
if (unknown.length) throw new Error(`unknown scope(s): ${unknown.join(', ')}; use ${ALL_SCOPES.join(', ')}`);
const store = await openStore({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir, secretKey: config.secretKey });
try {
  const { user, token, expiresIn } = await issueDevToken(store, config, {
    login: values.login,
    scopes,
    ttlSeconds: Number(values.ttl),
    ...(values['github-token'] ? { githubToken: values['github-token'] } : {}),
  });
  process.stderr.write(`user ${user.login} (id ${user.id}), scopes ${scopes.join(' ')}, valid for ${expiresIn} s\n`);
  process.stdout.write(`${token}\n`);
} finally {
  await store.close();
}
