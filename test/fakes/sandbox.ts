/**
 * What the sandbox (`npm run dev`, dev/start-sandbox.ts) asks of each host's fake: where it listens, how it
 * starts seeded with the sandbox's accounts, how the app is pointed at it, which of its accounts show a state,
 * and what of each sandbox user it links in the app's store. Each host's fake has one such part (its
 * `sandbox.ts`), registered in hosts.ts; the sandbox iterates over them.
 */
import type { Config } from '../../src/config.ts';
import type { Store } from '../../src/store/types.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';

/** What a state account's host (or the sandbox's storage) does to its repository listing. */
export type SandboxState =
  /**
   * The host rejects the account's token on the repository listing: 403 `GITHUB_AUTH` / `PROVIDER_AUTH` with
   * `reconnect`. The second sign-in with that host since the start (the picker's "Reconnect") gets a token the host
   * accepts, until the next start.
   */
  | 'revoked'
  /** The host's rate limit: 429 `RATE_LIMITED` with `retry_after`. */
  | 'rate_limited'
  /** The host answers 502: 502 `UPSTREAM_UNAVAILABLE`. */
  | 'down'
  /** The host never answers: 504 `UPSTREAM_TIMEOUT` once the app's deadline for it passes. */
  | 'timeout'
  /** The host answers after 60% of the app's deadline: slow, but the list comes. */
  | 'slow'
  /** GitHub answers, GitVerse fails: 200 with GitVerse's entry in `providers` failed. */
  | 'second_host_down'
  /**
   * The stored GitHub token cannot be read, as after a change of `SECRET_KEY`: 401 `SESSION_EXPIRED`. So at every
   * start, and the first sign-in since the start stores it so again; signing in once more fixes it until the next start.
   */
  | 'session_expired';

/** An account of the sandbox that signs in with GitHub (the fake GitHub's sign-in page lists it). */
export interface SandboxAccountSpec {
  login: string;
  name: string;
  /** Repositories on the fake GitHub. */
  repos: number;
  /** Repositories on the fake GitVerse, linked at every start; none linked when absent. */
  gitverse?: number;
  seed: number;
  /** The state this account shows; a data account when absent. */
  state?: SandboxState;
  /** What a picker shows when signed in as this account (the banner's and mocks/README.md's table). */
  shows: string;
  /** The mock's header for the same state. */
  prefer: string;
  /** Organisations part of its repositories belong to (the fake GitHub's sandbox organisations). */
  orgs?: string[];
  /** The GitHub token's scopes, when not those our sign-in asks for. */
  scopes?: string[];
  /** A GitVerse token linked at every start with these scopes (and a few repositories behind it). */
  gitverseScopes?: string[];
}

/** An account that comes in by another host than GitHub: signed in with it, with a ready token. */
export interface HostSandboxAccount {
  login: string;
  /** How many repositories it has on that host. */
  count: number;
  /** How the app signs it in: its id on the host, its token there and the token's scopes. */
  identity: { id: string; token: string; scopes: string[] };
  /** The state it shows, with the table's words, when it is a state account. */
  state?: SandboxState;
  shows?: string;
  prefer?: string;
}

/** A sandbox user as the app's store knows it, for a host to link what the user holds there. */
export interface SandboxUser {
  id: number;
  account: SandboxAccountSpec;
  /** No GitHub token was stored for the user before this start. */
  firstStart: boolean;
}

export interface SandboxHostContext {
  /** 0 picks a free port. */
  port: number;
  latencyMs: number;
  /** The accounts that sign in with GitHub; each host seeds those it holds something for. */
  accounts: readonly SandboxAccountSpec[];
}

/** One host's part of the sandbox. */
export interface SandboxHost<Fake> {
  /** The host's name for people: "the fake GitHub" in the banner and in a port clash. */
  displayName: string;
  /** Its port: the sandbox's base port plus `offset`, unless `variable` moves it alone. */
  port: { variable: string; offset: number };
  /** Whether a browser signs in (or links the host) through its OAuth pages, which list its accounts. */
  signIn: boolean;
  /** What the host calls its repositories, in the plural ("projects" on GitLab). */
  unit: string;
  /** Said after its URL in the banner. */
  note?: string;
  /** Started on `context.port` and seeded, its OAuth app the sandbox's. */
  start(context: SandboxHostContext): Promise<Fake>;
  /** The app's settings that point it at the fake: its API directly, its pages as the browser meets them. */
  env(fake: Fake): Record<string, string>;
  /** Sets the standing faults of its state accounts, once the app's deadlines are known. */
  arm?(fake: Fake, config: Config, accounts: readonly SandboxAccountSpec[]): void;
  /** The accounts that come in by this host only (not by GitHub). */
  ownAccounts?(fake: Fake): HostSandboxAccount[];
  /** Stores, at every start, what a sandbox user holds on this host, as their sign-in or link would. */
  link?(fake: Fake, store: Store, user: SandboxUser): Promise<void>;
}

/** A repository's files from the kind corpus, so that kinds and origins show; each host starts at its own offset. */
export const corpusFiles = (i: number): Record<string, string> => ({ ...KIND_CORPUS[i % KIND_CORPUS.length]?.files });

/** Sets each state account's standing fault, as the host's `faultFor` makes it for the account's state. */
export function stateFaults<Fault>(
  accounts: ReadonlyArray<{ login: string; state?: SandboxState | undefined }>,
  faultFor: (state: SandboxState) => Fault | undefined,
  faults: Map<string, Fault>,
): void {
  for (const a of accounts) {
    const fault = a.state && faultFor(a.state);
    if (fault) faults.set(a.login, fault);
  }
}

/** Clears a revoked account's standing fault on its second grant since the start (the picker's "Reconnect"). */
export function reconnectFixes(
  accounts: ReadonlyArray<{ login: string; state?: SandboxState | undefined }>,
  state: { accountFaults: Map<string, unknown>; onGrant: ((login: string, count: number) => void) | undefined },
): void {
  const revoked = new Set(accounts.filter((a) => a.state === 'revoked').map((a) => a.login));
  state.onGrant = (login, count) => {
    if (revoked.has(login) && count >= 2) state.accountFaults.delete(login);
  };
}
