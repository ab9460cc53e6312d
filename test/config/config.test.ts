import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, configWarnings, loadConfig } from '../../src/config.ts';

const PRODUCTION = {
  NODE_ENV: 'production',
  SECRET_KEY: 'a-production-secret-key-0123456789abcdef',
  PUBLIC_URL: 'https://api.example.com/',
  GITHUB_CLIENT_ID: 'Iv1.abc',
  GITHUB_CLIENT_SECRET: 'secret',
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  return assert.fail('the configuration was accepted');
}

describe('configuration from the environment', () => {
  it('when nothing is set, then the embedded defaults apply', () => {
    const config = loadConfig({});
    assert.equal(config.env, 'development');
    assert.equal(config.port, 3000);
    assert.equal(config.dataDir, './data');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.validateResponses, true);
    assert.equal(config.shutdownTimeoutMs, 10_000);
  });

  it('when every production variable is set, then production starts with response validation off and the URL without its trailing slash', () => {
    const config = loadConfig(PRODUCTION);
    assert.equal(config.env, 'production');
    assert.equal(config.validateResponses, false);
    assert.equal(config.publicUrl, 'https://api.example.com');
    assert.deepEqual(configWarnings(config), []);
  });

  for (const [name, env, pattern] of [
    ['a port that is not a number', { PORT: 'abc' }, /^PORT="abc" is not valid: expected a whole number from 0 to 65535$/],
    ['a fractional port', { PORT: '1.5' }, /^PORT="1.5"/],
    ['a negative port', { PORT: '-1' }, /^PORT="-1"/],
    ['an unknown environment name', { NODE_ENV: 'prod' }, /^NODE_ENV="prod" is not valid: expected development, test or production$/],
    ['a flag that is neither true nor false', { VALIDATE_RESPONSES: 'yes' }, /^VALIDATE_RESPONSES="yes" is not valid: expected true or false/],
    ['a short secret key, without showing it', { SECRET_KEY: 'short' }, /^SECRET_KEY=a value of 5 characters is not valid: expected at least 32 characters$/],
    ['a database URL of another kind', { DATABASE_URL: 'mysql://db/x' }, /^DATABASE_URL=/],
    ['a CORS origin that is not a URL', { CORS_ORIGINS: 'https://a.example.com, nope' }, /^CORS_ORIGINS=/],
    ['production without its secrets', { NODE_ENV: 'production' }, /^SECRET_KEY, PUBLIC_URL, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET must be set when NODE_ENV=production/],
    ['production with an empty SECRET_KEY', { ...PRODUCTION, SECRET_KEY: '' }, /^SECRET_KEY must be set when NODE_ENV=production/],
    ['production on the development key', { ...PRODUCTION, SECRET_KEY: 'dev-only-secret-key-change-me-0123456789' }, /^SECRET_KEY is a key published with this service's code/],
    ['production on the key of .env.example', { ...PRODUCTION, SECRET_KEY: 'change-me-to-at-least-32-random-characters' }, /^SECRET_KEY is a key published/],
    ['production signing bearer tokens with the development key', { ...PRODUCTION, JWT_SECRET: 'dev-only-secret-key-change-me-0123456789' }, /^JWT_SECRET is a key published/],
    ['production without Secure cookies', { ...PRODUCTION, SESSION_COOKIE_SECURE: 'false' }, /^SESSION_COOKIE_SECURE=false is refused when NODE_ENV=production/],
    ['production on a plain http PUBLIC_URL', { ...PRODUCTION, PUBLIC_URL: 'http://api.example.com' }, /^PUBLIC_URL="http:\/\/api.example.com" is plain http, refused/],
    ['production on a plain http PUBLIC_URL of another host, with the loopback opt-out', { ...PRODUCTION, PUBLIC_URL: 'http://api.example.com', ALLOW_HTTP_PUBLIC_URL: 'true' }, /^PUBLIC_URL=.* ALLOW_HTTP_PUBLIC_URL allows only a loopback URL$/],
    ['a Redis command deadline of 0', { REDIS_COMMAND_TIMEOUT_MS: '0' }, /^REDIS_COMMAND_TIMEOUT_MS="0" is not valid: expected a whole number from 10 to 60000$/],
  ] as const) {
    it(`when given ${name}, then the start is refused with one line that names the variable`, () => {
      const message = refusal(env);
      assert.match(message, pattern);
      assert.ok(!message.includes('\n'), message);
    });
  }

  it('when production is given a plain http loopback PUBLIC_URL with ALLOW_HTTP_PUBLIC_URL=true, then it starts', () => {
    assert.equal(loadConfig({ ...PRODUCTION, PUBLIC_URL: 'http://127.0.0.1:8080', ALLOW_HTTP_PUBLIC_URL: 'true' }).publicUrl, 'http://127.0.0.1:8080');
  });

  it('when no deadline is set, then every dependency still has one', () => {
    assert.deepEqual(loadConfig({}).deadlines, { redisCommandMs: 500, databaseConnectMs: 2_000, databaseQueryMs: 5_000, readinessMs: 1_000 });
  });

  it('when started outside production without GitHub credentials on the development key, then one warning says both', () => {
    const warnings = configWarnings(loadConfig({}));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /SECRET_KEY is not set.*GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set/);
  });

  it('when an empty value is given, then the default applies', () => {
    assert.equal(loadConfig({ PORT: '', VALIDATE_RESPONSES: '' }).port, 3000);
  });

  it('every variable of .env.example is in the schema, and every variable of the schema is in .env.example', () => {
    const documented = [...readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    assert.ok(documented.length > 0);
    assert.deepEqual([...new Set(documented)].sort(), [...CONFIG_VARIABLES].sort());
  });
});
