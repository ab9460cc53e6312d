/**
 * Every setting the service reads, from the environment: one schema, a type, a range or a set of values
 * and a default for each variable (`.env.example` lists them all). A bad value stops the start with one
 * line that names the variable, what is wrong and the accepted form.
 */
import { z } from 'zod';
import { flag, optional, text, url, whole } from './env.ts';
import { HOSTS, type HostConfigs } from './hosts/registry.ts';

/** The app's own settings; each git host's are beside them under its provider's name (`HostConfigs`). */
export interface AppConfig {
  port: number;
  host: string;
  /** The externally visible base URL of this service (used in OAuth redirect URIs and `Link`). */
  publicUrl: string;
  env: 'development' | 'test' | 'production';
  logLevel: string;
  /** Encrypts host tokens at rest and signs our JWTs (keys are derived from it). */
  secretKey: string;
  /** Signs our JWTs; defaults to `SECRET_KEY`. Separate, a rotated `SECRET_KEY` leaves bearer tokens valid (and host tokens unreadable). */
  jwt: { secret: string; issuer: string; audience: string; ttlSeconds: number };
  /**
   * `cookieName` and `oauthCookieName` are the names sent: with Secure cookies they carry the `__Host-`
   * prefix (Path=/, no Domain), so a sibling subdomain can neither plant nor overwrite them.
   */
  session: { cookieName: string; oauthCookieName: string; ttlSeconds: number; secureCookie: boolean };
  /**
   * Where Prometheus metrics are served, apart from the API: `port` 0 is any free port, undefined is
   * off. The API port never serves them.
   */
  metrics: { host: string; port: number | undefined };
  /** A `refresh=true` (or a connect of a repository not in the cached listing) within this many seconds of the last read of a host reuses that read. */
  refreshMinIntervalSeconds: number;
  /** PostgreSQL when set; otherwise the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  /** Embedded database folder, or `memory://` for a throwaway one. */
  dataDir: string;
  /** Shared cache and rate limiter when set; in-process otherwise. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so deployments sharing one Redis stay apart. */
  redisPrefix: string;
  /** Lifetime of a user's cached listing. */
  listingCacheTtlSeconds: number;
  /** How long a listing waits for kind detection before answering with what it has. */
  detectionBudgetMs: number;
  /** Validate every response against the spec (on by default outside production). */
  validateResponses: boolean;
  /** Compress listings, the spec and the reference with br or gzip when the client accepts it (off where a proxy in front compresses). */
  compressResponses: boolean;
  /** Origins allowed by CORS; empty means none. */
  corsOrigins: string[];
  /** Where the OAuth callback sends the browser after sign-in; unset means answer JSON. */
  postLoginRedirect: string | undefined;
  rateLimit: { perUser: number; perAddress: number };
  /** The rendered reference served at `/docs`; the file `npm run build` writes when unset. */
  apiReferenceFile: string | undefined;
  /** Express `trust proxy`: how many proxies in front set `X-Forwarded-For` (0 = none). */
  trustProxy: number;
  /** How long a stopping process waits for in-flight requests before it closes their connections. */
  shutdownTimeoutMs: number;
  /**
   * Deadlines of the service's own dependencies: a stalled one is an answer within its bound, never a hang.
   * `redisCommandMs` bounds each Redis command; `databaseConnectMs` a new PostgreSQL connection (or the
   * wait for a free one); `databaseQueryMs` each statement (PostgreSQL's `statement_timeout`, and the
   * embedded database's wait and work); `readinessMs` each check of `/ready`.
   */
  deadlines: { redisCommandMs: number; databaseConnectMs: number; databaseQueryMs: number; readinessMs: number };
  /** How long `me` keeps a host's answer on a token before asking again (0: ask every time). */
  tokenCheckTtlSeconds: number;
  /** Attempts to link a host token per hour, per user and per client address. */
  linkAttemptsPerHour: number;
  /** Slow clients: the whole request head within `headersMs`, the whole request within `requestMs`. */
  clientTimeouts: { headersMs: number; requestMs: number };
}

export type Config = AppConfig & HostConfigs;

type Env = Record<string, string | undefined>;

/** A development key, public by nature: accepted outside production only, with a warning. */
const DEV_SECRET = 'dev-only-secret-key-change-me-0123456789';

/** Keys written in this repository (the development key, `.env.example`'s placeholder): production refuses them. */
const PUBLISHED_SECRETS = new Set([DEV_SECRET, 'change-me-to-at-least-32-random-characters']);

/** Hosts of a `PUBLIC_URL` that `ALLOW_HTTP_PUBLIC_URL` may leave on plain http: this machine only. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
/** An origin (`https://app.example.com`), or a host on any port for local development (`http://localhost:*`). */
const ORIGIN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:(\d{1,5}|\*))?$/i;
const origins = optional(
  z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(ORIGIN, { error: 'a comma-separated list of origins such as https://app.example.com or http://localhost:*' }))),
);

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Each git host's variables, read with the app's own. */
const hostVariables: z.ZodRawShape = Object.assign({}, ...Object.values(HOSTS).map((h) => h.config.variables));

const schema = z.object({
  NODE_ENV: optional(z.enum(['development', 'test', 'production'], { error: 'development, test or production' })),
  PORT: whole(0, 65535),
  HOST: optional(z.string().min(1)),
  PUBLIC_URL: url,
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'fatal, error, warn, info, debug, trace or silent' })),
  TRUST_PROXY: whole(0, 10),
  CORS_ORIGINS: origins,
  API_REFERENCE_FILE: text,
  VALIDATE_RESPONSES: flag,
  COMPRESS_RESPONSES: flag,
  SHUTDOWN_TIMEOUT_MS: whole(0, 120_000),
  METRICS_HOST: optional(z.string().min(1)),
  METRICS_PORT: optional(z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)], { error: 'a whole number from 0 to 65535, or off' })),
  REFRESH_MIN_INTERVAL_SECONDS: whole(0, HOUR),
  SECRET_KEY: optional(z.string().min(32, { error: 'at least 32 characters' })),
  JWT_SECRET: optional(z.string().min(32, { error: 'at least 32 characters' })),
  JWT_ISSUER: optional(z.string().min(1)),
  JWT_AUDIENCE: optional(z.string().min(1)),
  JWT_TTL_SECONDS: whole(1, DAY),
  SESSION_TTL_SECONDS: whole(60, 365 * DAY),
  SESSION_COOKIE_SECURE: flag,
  SESSION_COOKIE_NAME: optional(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, _ and -' })),
  POST_LOGIN_REDIRECT: url,
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// URL' })),
  DATA_DIR: optional(z.string().min(1)),
  REDIS_URL: optional(z.url({ protocol: /^rediss?$/, error: 'a redis:// or rediss:// URL' })),
  REDIS_PREFIX: optional(z.string().min(1)),
  LISTING_CACHE_TTL_SECONDS: whole(0, DAY),
  DETECTION_BUDGET_MS: whole(0, 60_000),
  RATE_LIMIT_PER_USER: whole(1, 1_000_000_000),
  RATE_LIMIT_PER_ADDRESS: whole(1, 1_000_000_000),
  REDIS_COMMAND_TIMEOUT_MS: whole(10, 60_000),
  DATABASE_CONNECT_TIMEOUT_MS: whole(100, 60_000),
  DATABASE_QUERY_TIMEOUT_MS: whole(100, 600_000),
  READINESS_TIMEOUT_MS: whole(50, 30_000),
  TOKEN_CHECK_TTL_SECONDS: whole(0, HOUR),
  LINK_ATTEMPTS_PER_HOUR: whole(1, 10_000),
  HEADERS_TIMEOUT_MS: whole(1_000, 120_000),
  REQUEST_TIMEOUT_MS: whole(1_000, 600_000),
  ALLOW_HTTP_PUBLIC_URL: flag,
  // Each git host's variables (`hosts/<host>/config.ts`).
  ...hostVariables,
});

/** Every variable the service reads. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

/** Variables that production refuses to start without. */
const REQUIRED_IN_PRODUCTION: readonly string[] = [
  'SECRET_KEY',
  'PUBLIC_URL',
  ...Object.values(HOSTS).flatMap((h): readonly string[] => h.config.requiredInProduction ?? []),
];

/** A configuration the process must not start with; its message is the one line to print. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function parseEnv(env: Env) {
  const known = Object.fromEntries(Object.keys(schema.shape).map((name) => [name, env[name]]));
  const result = schema.safeParse(known);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]);
    const raw = env[name] ?? '';
    const shown = /SECRET/.test(name) ? `a value of ${raw.length} characters` : JSON.stringify(raw);
    throw new ConfigError(`${name}=${shown} is not valid: expected ${issue.message}`);
  }
  const vars = result.data;
  if (vars.NODE_ENV === 'production') {
    const missing = REQUIRED_IN_PRODUCTION.filter((name) => (vars as Record<string, unknown>)[name] === undefined);
    if (missing.length) throw new ConfigError(`${missing.join(', ')} must be set when NODE_ENV=production (see .env.example)`);
    refuseUnsafe(vars);
  }
  return vars;
}

/** What production refuses even when each value is well-formed: one line each, naming the variable. */
function refuseUnsafe(vars: z.infer<typeof schema>): void {
  // Shorter than 32 characters (so than 32 bytes) is refused by the schema, in every environment.
  for (const name of ['SECRET_KEY', 'JWT_SECRET'] as const) {
    const key = vars[name];
    if (key === undefined) continue;
    if (PUBLISHED_SECRETS.has(key)) throw new ConfigError(`${name} is a key published with this service's code: set a random one of at least 32 bytes when NODE_ENV=production`);
  }
  if (vars.SESSION_COOKIE_SECURE === false) throw new ConfigError('SESSION_COOKIE_SECURE=false is refused when NODE_ENV=production: session cookies must be Secure');
  const publicUrl = new URL(vars.PUBLIC_URL!);
  if (publicUrl.protocol === 'http:') {
    if (!vars.ALLOW_HTTP_PUBLIC_URL) {
      throw new ConfigError(`PUBLIC_URL=${JSON.stringify(vars.PUBLIC_URL)} is plain http, refused when NODE_ENV=production: use https (or ALLOW_HTTP_PUBLIC_URL=true for a loopback URL behind a local TLS proxy)`);
    }
    if (!LOOPBACK_HOST.test(publicUrl.hostname)) {
      throw new ConfigError(`PUBLIC_URL=${JSON.stringify(vars.PUBLIC_URL)} is plain http on a host other than this machine: ALLOW_HTTP_PUBLIC_URL allows only a loopback URL`);
    }
  }
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const vars = parseEnv(env);
  const nodeEnv = vars.NODE_ENV ?? 'development';
  const port = vars.PORT ?? 3000;
  const secretKey = vars.SECRET_KEY ?? DEV_SECRET;
  const secure = vars.SESSION_COOKIE_SECURE ?? true;
  const host = vars.HOST ?? '127.0.0.1';
  const config: AppConfig = {
    port,
    host,
    publicUrl: vars.PUBLIC_URL ?? `http://localhost:${port}`,
    env: nodeEnv,
    logLevel: vars.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    secretKey,
    jwt: {
      secret: vars.JWT_SECRET ?? secretKey,
      issuer: vars.JWT_ISSUER ?? 'repositories-api',
      audience: vars.JWT_AUDIENCE ?? 'repositories-api',
      ttlSeconds: vars.JWT_TTL_SECONDS ?? 900,
    },
    session: {
      cookieName: `${secure ? '__Host-' : ''}${vars.SESSION_COOKIE_NAME ?? 'rapi_session'}`,
      oauthCookieName: `${secure ? '__Host-' : ''}rapi_oauth`,
      ttlSeconds: vars.SESSION_TTL_SECONDS ?? 30 * DAY,
      secureCookie: secure,
    },
    metrics: {
      host: vars.METRICS_HOST ?? host,
      port: vars.METRICS_PORT === 'off' ? undefined : (vars.METRICS_PORT ?? 9464),
    },
    refreshMinIntervalSeconds: vars.REFRESH_MIN_INTERVAL_SECONDS ?? 10,
    databaseUrl: vars.DATABASE_URL,
    dataDir: vars.DATA_DIR ?? './data',
    redisUrl: vars.REDIS_URL,
    redisPrefix: vars.REDIS_PREFIX ?? 'rapi:',
    listingCacheTtlSeconds: vars.LISTING_CACHE_TTL_SECONDS ?? 60,
    detectionBudgetMs: vars.DETECTION_BUDGET_MS ?? 1500,
    validateResponses: vars.VALIDATE_RESPONSES ?? nodeEnv !== 'production',
    compressResponses: vars.COMPRESS_RESPONSES ?? true,
    corsOrigins: vars.CORS_ORIGINS ?? [],
    postLoginRedirect: vars.POST_LOGIN_REDIRECT,
    rateLimit: {
      perUser: vars.RATE_LIMIT_PER_USER ?? 600,
      perAddress: vars.RATE_LIMIT_PER_ADDRESS ?? 1200,
    },
    apiReferenceFile: vars.API_REFERENCE_FILE,
    trustProxy: vars.TRUST_PROXY ?? 0,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS ?? 10_000,
    deadlines: {
      redisCommandMs: vars.REDIS_COMMAND_TIMEOUT_MS ?? 500,
      databaseConnectMs: vars.DATABASE_CONNECT_TIMEOUT_MS ?? 2_000,
      databaseQueryMs: vars.DATABASE_QUERY_TIMEOUT_MS ?? 5_000,
      readinessMs: vars.READINESS_TIMEOUT_MS ?? 1_000,
    },
    tokenCheckTtlSeconds: vars.TOKEN_CHECK_TTL_SECONDS ?? 60,
    linkAttemptsPerHour: vars.LINK_ATTEMPTS_PER_HOUR ?? 20,
    clientTimeouts: {
      headersMs: vars.HEADERS_TIMEOUT_MS ?? 10_000,
      requestMs: vars.REQUEST_TIMEOUT_MS ?? 30_000,
    },
  };
  const hosts = Object.fromEntries(
    Object.entries(HOSTS).map(([provider, host]) => [provider, (host.config.load as (v: typeof vars) => unknown)(vars)]),
  ) as HostConfigs;
  return { ...config, ...hosts, ...overrides };
}

/** What an operator should hear about a configuration that starts but is not fit for real users. */
export function configWarnings(config: Config): string[] {
  if (config.env === 'production') return [];
  const warnings: string[] = [];
  if (config.secretKey === DEV_SECRET) warnings.push('SECRET_KEY is not set: host tokens are encrypted with the public development key');
  for (const [provider, host] of Object.entries(HOSTS)) {
    const warn = host.config.warnings as ((c: unknown) => string[]) | undefined;
    warnings.push(...(warn?.(config[provider as keyof HostConfigs]) ?? []));
  }
  return warnings.length ? [`not for real users: ${warnings.join('; ')} (see .env.example)`] : [];
}
