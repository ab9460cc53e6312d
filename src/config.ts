/** Every setting the service reads, from the environment, with the embedded defaults. */
export interface Config {
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
  github: {
    apiUrl: string;
    webUrl: string;
    clientId: string;
    clientSecret: string;
    timeoutMs: number;
    /** Pages fetched at once after the first. */
    concurrency: number;
  };
  gitverse: { apiUrl: string; webUrl: string; timeoutMs: number; concurrency: number };
  /** Lifetime of a user's cached listing. */
  listingCacheTtlSeconds: number;
  /** How long a listing waits for kind detection before answering with what it has. */
  detectionBudgetMs: number;
  /** Validate every response against the spec (always on outside production). */
  validateResponses: boolean;
  /** Origins allowed by CORS; empty means none. */
  corsOrigins: string[];
  /** Where the OAuth callback sends the browser after sign-in; unset means answer JSON. */
  postLoginRedirect: string | undefined;
  rateLimit: { perUser: number; perAddress: number };
  /** The rendered reference served at `/docs`; the file `npm run docs` writes when unset. */
  apiReferenceFile: string | undefined;
  /** Express `trust proxy`: how many proxies in front set `X-Forwarded-For` (0 = none). */
  trustProxy: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw === '1' || raw.toLowerCase() === 'true';
}

const DEV_SECRET = 'dev-only-secret-key-change-me-0123456789';

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const nodeEnv = env.NODE_ENV === 'production' || env.NODE_ENV === 'test' ? env.NODE_ENV : 'development';
  const port = int(env, 'PORT', 3000);
  const secretKey = env.SECRET_KEY ?? (nodeEnv === 'production' ? '' : DEV_SECRET);
  if (secretKey.length < 32) throw new Error('SECRET_KEY must be set to at least 32 characters');
  const secure = bool(env, 'SESSION_COOKIE_SECURE', true);
  const config: Config = {
    port,
    host: env.HOST ?? '127.0.0.1',
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    env: nodeEnv,
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    secretKey,
    jwt: {
      secret: env.JWT_SECRET || secretKey,
      issuer: env.JWT_ISSUER ?? 'repositories-api',
      audience: env.JWT_AUDIENCE ?? 'repositories-api',
      ttlSeconds: int(env, 'JWT_TTL_SECONDS', 900),
    },
    session: {
      cookieName: `${secure ? '__Host-' : ''}${env.SESSION_COOKIE_NAME ?? 'rapi_session'}`,
      oauthCookieName: `${secure ? '__Host-' : ''}rapi_oauth`,
      ttlSeconds: int(env, 'SESSION_TTL_SECONDS', 30 * 24 * 3600),
      secureCookie: secure,
    },
    metrics: {
      host: env.METRICS_HOST || (env.HOST ?? '127.0.0.1'),
      port: env.METRICS_PORT === 'off' ? undefined : int(env, 'METRICS_PORT', 9464),
    },
    refreshMinIntervalSeconds: int(env, 'REFRESH_MIN_INTERVAL_SECONDS', 10),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? './data',
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX ?? 'rapi:',
    github: {
      apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
      webUrl: (env.GITHUB_WEB_URL ?? 'https://github.com').replace(/\/$/, ''),
      clientId: env.GITHUB_CLIENT_ID ?? '',
      clientSecret: env.GITHUB_CLIENT_SECRET ?? '',
      timeoutMs: int(env, 'GITHUB_TIMEOUT_MS', 10_000),
      concurrency: int(env, 'GITHUB_CONCURRENCY', 10),
    },
    gitverse: {
      apiUrl: (env.GITVERSE_API_URL ?? 'https://api.gitverse.ru').replace(/\/$/, ''),
      webUrl: (env.GITVERSE_WEB_URL ?? 'https://gitverse.ru').replace(/\/$/, ''),
      timeoutMs: int(env, 'GITVERSE_TIMEOUT_MS', 10_000),
      concurrency: int(env, 'GITVERSE_CONCURRENCY', 4),
    },
    listingCacheTtlSeconds: int(env, 'LISTING_CACHE_TTL_SECONDS', 60),
    detectionBudgetMs: int(env, 'DETECTION_BUDGET_MS', 1500),
    validateResponses: bool(env, 'VALIDATE_RESPONSES', nodeEnv !== 'production'),
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    postLoginRedirect: env.POST_LOGIN_REDIRECT || undefined,
    rateLimit: {
      perUser: int(env, 'RATE_LIMIT_PER_USER', 600),
      perAddress: int(env, 'RATE_LIMIT_PER_ADDRESS', 1200),
    },
    apiReferenceFile: env.API_REFERENCE_FILE || undefined,
    trustProxy: int(env, 'TRUST_PROXY', 0),
  };
  return { ...config, ...overrides };
}
