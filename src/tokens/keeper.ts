/**
 * Host tokens that expire: refreshed a little before they do, or when the host refuses one, through
 * the host's own refresh call. Requests of one process that need the same refresh share it; across
 * instances, one refresh at a time per user and host (see `locks.ts`): whoever gets the lock second
 * reads the token the first one stored instead of spending the refresh token again. A refusal is a 403 with `reconnect: true`, once: the dead refresh token is dropped, so no
 * later request asks again.
 */
import { ApiProblem, problems, type Provider } from '../contract/problem.ts';
import type { GitHost } from '../hosts/host.ts';
import type { HostToken, Store } from '../store/types.ts';
import { LockTimeout, type KeyedLock } from './locks.ts';
import { systemClock, type Clock } from '../clock.ts';

export interface TokenKeeper {
  /** The stored token, refreshed first when it expires within the margin (or has expired). */
  usable(userId: number, provider: Provider, stored: Extract<HostToken, { status: 'ok' }>): Promise<string>;
  /** Runs `call` with `token`; when the host refuses it and the token can be refreshed, once more with the refreshed one. */
  retried<T>(userId: number, provider: Provider, token: string, call: (token: string) => Promise<T>): Promise<T>;
}

export interface TokenKeeperOptions {
  store: Pick<Store, 'tokens'>;
  hosts: Record<Provider, GitHost>;
  lock: KeyedLock;
  /** Refresh this long before the stored expiry (default a minute). */
  marginMs?: number;
  /** Told of every refresh the host was asked for, and how it went (metrics, tests). */
  onRefresh?: (provider: Provider, outcome: 'refreshed' | 'refused' | 'failed') => void;
  /** What a token's expiry is compared with (default the system clock). */
  clock?: Clock;
}

const isRefusal = (error: unknown) => error instanceof ApiProblem && (error.status === 401 || (error.status === 403 && error.extras.reconnect === true));

export function createTokenKeeper(options: TokenKeeperOptions): TokenKeeper {
  const marginMs = options.marginMs ?? 60_000;
  const clock = options.clock ?? systemClock;
  // Renewed `marginMs` before it expires, or half way through a lifetime shorter than twice that.
  const expiring = (stored: HostToken) => {
    if (stored.expires_at === null) return false;
    const expiresAt = Date.parse(stored.expires_at);
    return expiresAt - Math.min(marginMs, (expiresAt - Date.parse(stored.updated_at)) / 2) <= clock.now();
  };

  /**
   * A token other than `spent`: the one another holder of the lock already stored, or a refreshed one.
   * Throws the host's auth problem when the host refuses to refresh, or nothing can be refreshed.
   */
  // Refreshes in flight in this process, by account and spent token: the requests that meet one wait for its result.
  const flights = new Map<string, Promise<string>>();
  function refresh(userId: number, provider: Provider, spent: string): Promise<string> {
    const key = `${userId}:${provider}:${spent}`;
    let flight = flights.get(key);
    if (!flight) {
      flight = renew(userId, provider, spent).finally(() => flights.delete(key));
      flights.set(key, flight);
    }
    return flight;
  }

  function renew(userId: number, provider: Provider, spent: string): Promise<string> {
    const host = options.hosts[provider];
    const refreshCall = host.link.oauth?.refresh;
    const relink = (why: string) => problems.providerAuth(provider, `${why} Link ${host.displayName} again.`);
    return options.lock
      .run(`token-refresh:${userId}:${provider}`, async () => {
        const current = await options.store.tokens.get(userId, provider);
        if (!current) throw relink(`No ${host.displayName} account is linked.`);
        if (current.status === 'undecryptable') throw problems.sessionExpired();
        // Renewed by whoever held the lock before: that token, without spending another refresh.
        if (current.token !== spent) return current.token;
        if (!refreshCall || !current.refresh_token) throw relink(`${host.displayName} no longer accepts the token, and it cannot be renewed.`);
        let grant;
        try {
          grant = await refreshCall({ refreshToken: current.refresh_token, instance: current.instance });
        } catch (error) {
          const problem = host.toProblem(error, 'renewing the token');
          if (!isRefusal(problem)) {
            options.onRefresh?.(provider, 'failed');
            throw problem;
          }
          options.onRefresh?.(provider, 'refused');
          // Spent or revoked: never offered again, so no later request asks the host for nothing.
          await options.store.tokens.put(userId, provider, { ...stored(current), refreshToken: null });
          throw relink(`${host.displayName} refused to renew the token.`);
        }
        options.onRefresh?.(provider, 'refreshed');
        await options.store.tokens.put(userId, provider, {
          ...stored(current),
          token: grant.token,
          refreshToken: grant.refreshToken ?? current.refresh_token,
          expiresAt: grant.expiresAt ?? null,
        });
        return grant.token;
      })
      .catch((error: unknown) => {
        if (error instanceof LockTimeout) {
          throw problems.upstreamTimeout(provider, `Renewing the ${host.displayName} token took too long; try again.`);
        }
        throw error;
      });
  }

  return {
    async usable(userId, provider, stored) {
      if (!expiring(stored)) return stored.token;
      return refresh(userId, provider, stored.token);
    },
    async retried(userId, provider, token, call) {
      try {
        return await call(token);
      } catch (error) {
        // A refusal that names its cause (a scope the credentials lack, with its hint) is not one a new token fixes.
        const named = error instanceof ApiProblem && error.extras.hint !== undefined;
        if (!isRefusal(error) || named || !options.hosts[provider].link.oauth?.refresh) throw error;
        const next = await refresh(userId, provider, token);
        if (next === token) throw error;
        return call(next);
      }
    },
  };
}

/** What `tokens.put` needs to store a token row again as it is. */
function stored(t: Extract<HostToken, { status: 'ok' }>) {
  return {
    token: t.token,
    login: t.login,
    scopes: t.scopes,
    refreshToken: t.refresh_token,
    expiresAt: t.expires_at === null ? null : new Date(t.expires_at),
    instance: t.instance,
  };
}
