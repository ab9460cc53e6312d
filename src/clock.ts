/**
 * The time the app reads for expiry, refresh intervals, the detection budget and kept answers. One
 * clock is built with the app (`AppOverrides.clock`, then `Services.clock`) and handed to each part that
 * reads the time, as the store and the cache are, and to each git host (`HostContext.clock`), which
 * works out on it a token's expiry and a rate limit's wait from a `Retry-After` date or a reset time:
 * the system clock in production, and in tests a clock the test moves itself (`test/support/clock.ts`),
 * so no test waits on the wall clock or races a real delay. A lint rule keeps `Date.now()` out of the
 * rest of `src/`. Deadlines on real waits (a host call's timeout, a lock's wait on Redis) are not this
 * clock's: they bound real time, on timers and `performance.now()`. The embedded database's sessions
 * expire on its own clock, the process's, as PostgreSQL's do on the server's.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves once `ms` have passed on this clock; `cancel` drops the wait (its promise then never resolves). */
  after(ms: number): { elapsed: Promise<void>; cancel(): void };
}

export const systemClock: Clock = {
  // Date.now as read at each call: vitest's fake Date moves it too.
  now: () => Date.now(),
  after(ms) {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
    return { elapsed, cancel: () => clearTimeout(timer) };
  },
};
