/**
 * Every git host the service serves, one line each. The app, sign-in and linking, the listing, `me`,
 * the configuration, the sandbox and the tests read this record; adding a host is its folder under
 * `src/hosts/`, a line here, the spec's `Provider` enum, and its fake under `test/fakes/`.
 */
import type { Provider } from '../contract/problem.ts';
import type { AnyGitHostModule } from './host.ts';
import { github } from './github/host.ts';
import { gitverse } from './gitverse/host.ts';
import { gitlab } from './gitlab/host.ts';

export const HOSTS = {
  github,
  gitverse,
  gitlab,
} satisfies Record<Provider, AnyGitHostModule>;

/** The hosts in the order `me` and the listing show them. */
export const PROVIDERS = Object.keys(HOSTS) as Provider[];

/** Each host's settings, under its provider's name in the app's configuration. */
export type HostConfigs = { [P in keyof typeof HOSTS]: ReturnType<(typeof HOSTS)[P]['config']['load']> };

/** The name people know a host by ("GitHub"). */
export const hostName = (provider: Provider): string => HOSTS[provider].displayName;

/** Whether a text is one of the providers served (what a path parameter names). */
export const isProvider = (value: string): value is Provider => Object.hasOwn(HOSTS, value);
