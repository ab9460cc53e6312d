import type { ServerResponse } from 'node:http';
import type { HostFault, RecordedRequest, RequestCounters } from './types.ts';

/** How many recent requests `requests` keeps. */
const REQUEST_LOG_SIZE = 500;

/** Who an `Authorization` header names: nobody, a token the fake does not know, or an account. */
export type AccountLookup<Account> = { kind: 'none' } | { kind: 'unknown' } | { kind: 'ok'; account: Account };

/** What every fake git host knows and counts, and the handles tests use to shape its answers. */
export abstract class FakeHostState<
  Route extends string,
  Account extends { user: { login: string } },
  Fault extends HostFault<Route, unknown>,
  Request extends RecordedRequest<Route>,
> {
  /** Accounts by token. */
  readonly accounts = new Map<string, Account>();
  readonly faults: Fault[] = [];
  /**
   * Standing faults by login: every request that account makes to the fault's route meets it, for as long
   * as it is set (`times` and `page` are not read). The sandbox's state accounts are made of these.
   */
  readonly accountFaults = new Map<string, Fault>();
  counters: RequestCounters<Route> = zeroCounters();
  /** The most recent requests, oldest first (bounded, so a long-running sandbox does not grow). */
  readonly requests: Request[] = [];
  /** Delay before every answer. */
  latencyMs = 0;
  /** Tokens granted by the OAuth flow (an authorization code exchanged), by login, since the fake started. */
  readonly grants = new Map<string, number>();
  /** Hears every grant, with the login's count so far (the sandbox fixes a revoked account on its second sign-in). */
  onGrant: ((login: string, count: number) => void) | undefined;
  /** When set, the OAuth endpoints insist on these credentials (hosts with OAuth). */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Whether the authorize step shows a page listing the accounts when the request names no `login` (the sandbox). */
  signInPage = false;
  /** The account the authorize step signs in when the request names none and no page is shown. */
  defaultLogin: string | undefined;
  /**
   * While set, every answer also waits for this (after its latency): a test holds the answers until it
   * has seen what it waits for (so many requests in flight at once), instead of racing a latency.
   */
  held: Promise<unknown> | undefined = undefined;

  accountByLogin(login: string): Account | undefined {
    for (const account of this.accounts.values()) if (account.user.login === login) return account;
    return undefined;
  }

  /** The account of the token in `authorization`; `pattern` captures the token in the schemes the host accepts. */
  accountFor(authorization: string | undefined, pattern: RegExp): AccountLookup<Account> {
    if (!authorization) return { kind: 'none' };
    const match = pattern.exec(authorization.trim());
    const account = match?.[1] ? this.accounts.get(match[1]) : undefined;
    return account ? { kind: 'ok', account } : { kind: 'unknown' };
  }

  /** Counts an authorization code exchanged for `login`'s token, and tells `onGrant`. */
  granted(login: string): void {
    const count = (this.grants.get(login) ?? 0) + 1;
    this.grants.set(login, count);
    this.onGrant?.(login, count);
  }

  /** Makes matching requests fail until `times` is used up or `clearFaults` is called. */
  injectFault(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The standing fault of the account a request is made as, when it is aimed at this route. */
  accountFault(route: Route | 'other', lookup: AccountLookup<Account> | { kind: 'trouble' }): Fault | undefined {
    if (lookup.kind !== 'ok') return undefined;
    const fault = this.accountFaults.get(lookup.account.user.login);
    return fault && (fault.route === '*' || fault.route === route) ? fault : undefined;
  }

  /** Counts a request as received, and in flight until `res` closes. */
  count(route: Route | 'other', res: ServerResponse): void {
    const counters = this.counters;
    counters.total++;
    counters.byRoute[route] = (counters.byRoute[route] ?? 0) + 1;
    counters.inFlight++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    // Read at close time: `resetCounters` may have replaced the counters meanwhile.
    res.on('close', () => this.counters.inFlight--);
  }

  record(request: Request): void {
    this.requests.push(request);
    if (this.requests.length > REQUEST_LOG_SIZE) this.requests.splice(0, this.requests.length - REQUEST_LOG_SIZE);
  }

  /** Starts counting (and logging) afresh; requests still in flight stay counted as in flight. */
  resetCounters(): void {
    const inFlight = this.counters.inFlight;
    this.counters = { ...zeroCounters(), inFlight, maxInFlight: inFlight };
    this.requests.length = 0;
  }

  /** The first fault for this route and page that `also` accepts, used up by one. */
  protected takeFaultWhere(route: Route | 'other', page: number, also: (fault: Fault) => boolean = () => true): Fault | undefined {
    const index = this.faults.findIndex(
      (f) => (f.route === '*' || f.route === route) && (f.page === undefined || f.page === page) && also(f),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    if (fault.times !== undefined && --fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

function zeroCounters<Route extends string>(): RequestCounters<Route> {
  return { total: 0, notModified: 0, byRoute: {}, inFlight: 0, maxInFlight: 0 };
}
