import { createHash } from 'node:crypto';
import type { KeyValueCache } from '../cache/index.ts';
import type { Provider } from '../contract/types.ts';

/** What a host said of a token: it works (as whom, with which scopes), it refused it, or it could not say. */
export type TokenCheck =
  | { token_status: 'valid'; login?: string; scopes?: string[] }
  | { token_status: 'rejected' }
  | { token_status: 'unknown' };

interface Kept {
  /** Which token the answer is about: another token (a new link) is asked about afresh. */
  tag: string;
  check: TokenCheck;
}

/**
 * `me`'s checks of each host token, kept per user and host for `ttlSeconds` in the shared cache and
 * shared by concurrent requests of this process: a page polling `me` costs the host one call per
 * period, not one per request. What the host could not answer (`unknown`) is not kept. `forget`
 * (a link, an unlink, a sign-in) makes the next `me` ask the host at once.
 */
export function createTokenChecks(deps: { cache: KeyValueCache; ttlSeconds: number }) {
  const inFlight = new Map<string, Promise<TokenCheck>>();
  const keyOf = (userId: number, provider: Provider) => `tokencheck:v1:${userId}:${provider}`;
  const tagOf = (token: string) => createHash('sha256').update(token).digest('base64url').slice(0, 22);

  return {
    async check(userId: number, provider: Provider, token: string, ask: () => Promise<TokenCheck>): Promise<TokenCheck> {
      if (deps.ttlSeconds <= 0) return ask();
      const key = keyOf(userId, provider);
      const tag = tagOf(token);
      const running = inFlight.get(`${key} ${tag}`);
      if (running) return running;
      // Assigned before its first await ends, so the comparison below sees it.
      let asking: Promise<TokenCheck> | undefined = undefined;
      asking = (async () => {
        const kept = await deps.cache.get<Kept>(key);
        if (kept?.tag === tag) return kept.check;
        const check = await ask();
        // Forgotten while the host was asked: answered, but not kept.
        if (check.token_status !== 'unknown' && inFlight.get(`${key} ${tag}`) === asking) {
          await deps.cache.set(key, { tag, check } satisfies Kept, deps.ttlSeconds);
        }
        return check;
      })();
      inFlight.set(`${key} ${tag}`, asking);
      try {
        return await asking;
      } finally {
        if (inFlight.get(`${key} ${tag}`) === asking) inFlight.delete(`${key} ${tag}`);
      }
    },

    /** The token of this user at this host changed or was checked again elsewhere: ask the host next time. */
    async forget(userId: number, provider: Provider): Promise<void> {
      const key = keyOf(userId, provider);
      for (const running of [...inFlight.keys()]) if (running.startsWith(`${key} `)) inFlight.delete(running);
      await deps.cache.del(key);
    },
  };
}

export type TokenChecks = ReturnType<typeof createTokenChecks>;
