/**
 * Deadlines of calls to a git host, in tests. Where a test expects the host to answer, its client (or its
 * app) keeps the production default, so a busy machine that stalls a test process for a second is not a
 * failure. Where a test wants the deadline to pass, the fake holds its answer (a `timeout` fault) and the
 * deadline is short, so the test does not wait long and nothing races it.
 */
import { PROVIDERS } from '../../src/hosts/registry.ts';

/** A host call's deadline where the test expects an answer: the production default. */
export const ANSWERED_MS = 10_000;

/** A host call's deadline that the test wants to pass, on an answer the fake holds. */
export const GIVE_UP_MS = 300;

/**
 * A deadline that one held answer must pass while the requests around it are answered: the other
 * pages of a listing, the sign-ins and listings of a test app.
 */
export const IMPATIENT_MS = 2_000;

/** Every host's deadline (`<HOST>_TIMEOUT_MS`) for a test app whose tests wait for one to pass. */
export const impatientHosts = (ms = IMPATIENT_MS): Record<string, string> =>
  Object.fromEntries(PROVIDERS.map((provider) => [`${provider.toUpperCase()}_TIMEOUT_MS`, String(ms)]));
