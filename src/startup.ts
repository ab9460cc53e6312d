/**
 * What stops a start, or makes an instance unready, said in one line: which part, what happened, and
 * what to do. `server.ts` prints a `StartupError`'s message as the one line of a failed start.
 */
import { RedisCache, type KeyValueCache } from './cache/index.ts';
import type { Config } from './config.ts';
import { failureInWords } from './hosts/http.ts';

/** A start that cannot go on; its message is the one line to print (after "Repositories API cannot start: "). */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** `host:port/database` of a PostgreSQL URL: never its user or password. */
export function databaseAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'the configured address';
  }
}

/** `host:port` of a Redis URL: never its password. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the configured address';
  }
}

/** PostgreSQL's own words for a refusal (a login, a missing database), or how the connection failed. */
function databaseFailureInWords(error: unknown): string {
  const pgError = error as { code?: unknown; severity?: unknown; message?: unknown };
  if (typeof pgError.severity === 'string' && typeof pgError.message === 'string') {
    return `refused: ${pgError.message}`;
  }
  return failureInWords(error);
}

/** The database could not be opened: PostgreSQL (DATABASE_URL) or the embedded one (DATA_DIR). */
export function databaseFailure(error: unknown, config: Pick<Config, 'databaseUrl' | 'dataDir'>): StartupError {
  if (config.databaseUrl) {
    const refused = typeof (error as { severity?: unknown }).severity === 'string';
    const todo = refused ? 'correct the user, password or database name in DATABASE_URL' : 'start PostgreSQL there, or correct DATABASE_URL';
    return new StartupError(`the database at ${databaseAddress(config.databaseUrl)} (DATABASE_URL) ${databaseFailureInWords(error)}: ${todo}`, { cause: error });
  }
  const said = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new StartupError(
    `the embedded database in ${config.dataDir} (DATA_DIR) could not be opened: ${said}: DATA_DIR must be a writable folder that no other process has open`,
    { cause: error },
  );
}

/** A listener that could not open its port: the part it serves and the variable that moves it. */
export function listenFailure(error: unknown, part: { name: string; variable: string; host: string; port: number }): StartupError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${part.host}:${part.port}`;
  const what =
    code === 'EADDRINUSE'
      ? `port ${part.port} on ${part.host} is in use by another process: stop it, or set ${part.variable} to a free port`
      : code === 'EACCES'
        ? `port ${part.port} may not be opened by this user: set ${part.variable} to a port above 1023`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? `${part.host} is not an address of this machine: correct ${part.variable === 'METRICS_PORT' ? 'METRICS_HOST' : 'HOST'}`
          : `${where} could not be opened (${code ?? (error as Error).message}): set ${part.variable}`;
  return new StartupError(`${part.name} cannot listen: ${what}`, { cause: error });
}

/** The last connection error each Redis cache reported (ioredis fails a command with a generic error). */
const lastRedisError = new WeakMap<RedisCache, Error>();

/** Keeps the last connection error of a Redis cache, for `dependencyFailureInWords`. */
export function watchRedis(cache: KeyValueCache): void {
  if (!(cache instanceof RedisCache) || lastRedisError.has(cache)) return;
  lastRedisError.set(cache, new Error('not connected yet'));
  cache.client.on('error', (error: Error) => lastRedisError.set(cache, error));
  cache.client.on('ready', () => lastRedisError.set(cache, new Error('no answer')));
}

/** Why a readiness check failed, in words fit for a public answer: no address, no credential. */
export function dependencyFailureInWords(part: 'database' | 'cache', error: unknown, cache?: KeyValueCache): string {
  if (error instanceof DeadlineError) return `${part === 'cache' ? cacheName(cache) : 'the database'} did not answer within ${error.ms} ms`;
  if (part === 'database') {
    const pgError = error as { severity?: unknown };
    return typeof pgError.severity === 'string' ? 'the database refused the query' : `the database ${failureInWords(error)}`;
  }
  const cause = cache instanceof RedisCache ? (lastRedisError.get(cache) ?? error) : error;
  return `${cacheName(cache)} ${failureInWords(cause)}`;
}

const cacheName = (cache: KeyValueCache | undefined) => (cache instanceof RedisCache ? 'Redis' : 'the cache');

/** A check that took longer than its bound. */
export class DeadlineError extends Error {
  readonly ms: number;
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.ms = ms;
  }
}

/** The promise, or a DeadlineError after `ms`. */
export function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(ms)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
