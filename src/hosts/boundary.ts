/**
 * What a git host sends is checked here, once, when it is read: written in the shape our spec's
 * `Repository` holds by the rules the spec documents there, or refused as a whole with a 502 that names
 * the field. Nothing past this point (cache, store, answers) sees a value the spec cannot hold, so no
 * answer is a 500 or a spec-invalid 200, and no connection is stored from an answer that was refused.
 */
import { ApiProblem, problems, type Provider } from '../contract/problem.ts';
import { hostName } from './registry.ts';
import type { RepositoryField } from './fields.ts';
import type { HostRepository } from './types.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const LINE_BREAKS = /[\r\n\u2028\u2029]+/g;
const HAS_LINE_BREAK = /[\r\n\u2028\u2029]/;
/** Printable ASCII without the characters RFC 3986 does not allow anywhere in a URI. */
const URI_TEXT = /^[!#-;=?-[\]_a-z~]+$/i;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;
/** The form hosts send nearly always, and the one we write: UTC, whole seconds. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const LOGIN = /^[^\s/]+$/;
/** A nested namespace (`acme/platform`), for hosts whose owners nest: slashes only between parts. */
const NESTED_LOGIN = /^[^\s/]+(\/[^\s/]+)*$/;
const FULL_NAME = /^[^/]+\/[^/]+$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A field of a host's repository that the spec cannot hold and no rule may change. */
class Refused extends Error {
  readonly field: string;
  readonly why: string;

  constructor(field: string, why: string) {
    super(`${field} ${why}`);
    this.field = field;
    this.why = why;
  }
}

/** Cuts text to `max` characters as JSON Schema counts them (code points, not UTF-16 units). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}

/** Longer than `max` code points: only a string of more than `max` UTF-16 units can be. */
const longerThan = (text: string, max: number) => text.length > max && Array.from(text).length > max;

/** One line, cut to `max`; empty is null. */
function line(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const text = cut(HAS_LINE_BREAK.test(value) ? value.replace(LINE_BREAKS, ' ') : value, max);
  return text === '' ? null : text;
}

function count(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return 0;
  return Math.min(Math.floor(value), MAX_SAFE);
}

function identifier(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new Refused(field, `must be an integer of at least ${min}`);
  }
  return value;
}

/**
 * An RFC 3339 date and time in UTC with whole seconds, or null when it is missing or not one. A leap
 * second (`23:59:60`), which `Date.parse` cannot read, is the second before it.
 */
export function utcDate(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  if (isCanonical(value)) return value;
  const m = RFC3339.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, , zone] = m;
  const second = s === '60' ? '59' : s;
  const offset = zone === 'Z' || zone === 'z' ? 'Z' : `${zone!.slice(0, 3)}:${zone!.slice(-2)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${second}${offset}`);
  if (Number.isNaN(ms)) return null;
  const date = new Date(Math.floor(ms / 1000) * 1000);
  if (date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return null;
  return date.toISOString().replace('.000Z', 'Z');
}

/** The number written by `length` ASCII digits of `text` from `at` (already matched as digits). */
function digits(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

/** Already written as we write dates, and a real time: kept as it is, without parsing it into a Date and back. */
function isCanonical(value: string): boolean {
  if (value.length !== 20 || !CANONICAL.test(value)) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days && hour < 24 && minute < 60 && second < 60;
}

/** `scheme://authority` and the rest, for URLs written only in characters RFC 3986 allows. */
const WEB_URL_TEXT = /^(https?:\/\/[!$-.0-9:;=@-[\]_a-z~]+)(?:[/?#][!#-;=?-[\]_a-z~]*)?$/i;
/**
 * Schemes and authorities the URL parser has accepted. Past them, a path, query and fragment in the
 * characters above cannot make the parse fail, so the URLs of one host are parsed once, not once each.
 */
const parsedOrigins = new Set<string>();

function webUrl(value: unknown): string {
  if (typeof value !== 'string') throw new Refused('html_url', 'must be an absolute http(s) URL');
  const origin = value.length <= 2048 ? WEB_URL_TEXT.exec(value)?.[1] : undefined;
  if (origin !== undefined && parsedOrigins.has(origin)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Refused('html_url', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Refused('html_url', 'must be an absolute http(s) URL');
  const text = URI_TEXT.test(value) ? value : url.href;
  if (!URI_TEXT.test(text) || text.length > 2048) throw new Refused('html_url', 'must be an absolute http(s) URL of at most 2048 characters');
  if (origin !== undefined && parsedOrigins.size < 1000) parsedOrigins.add(origin);
  return text;
}

/** An owner's avatar: an absolute http(s) URL the spec can hold, or null (an avatar is not worth refusing a listing over). */
function avatarUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    return webUrl(value);
  } catch (error) {
    if (error instanceof Refused) return null;
    throw error;
  }
}

/** What a host's owners may be, beyond a single login. */
export interface HostRules {
  /** Owners nest (groups in groups): a login may be `group/subgroup`, and `full_name` then has more than two parts. */
  nestedOwners?: boolean;
}

/**
 * A host's repository in our field names (those of `src/hosts/fields.ts`), as the host gave it: any
 * value of any field may be wrong, and is held to the spec here. GitHub's repository is one as it
 * comes (our names are GitHub's); other hosts map theirs to these names first.
 */
export type RepositoryInput = { readonly [K in Exclude<RepositoryField, 'provider'>]?: unknown };

type Fields<K extends string> = { readonly [F in K]?: unknown };
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * One repository as the spec holds it; throws `Refused` for an identity field the spec cannot hold. Its
 * fields are written in the declared order (`REPOSITORY_FIELDS`), so every repository the boundary
 * gives has the same shape as the ones the page caches give back.
 */
function normalise(r: RepositoryInput, provider: Provider, rules: HostRules): HostRepository {
  const id = identifier(r.id, 'id', 1);
  const name = r.name;
  if (typeof name !== 'string' || name === '' || name.includes('/') || longerThan(name, 255)) {
    throw new Refused('name', 'must be 1 to 255 characters without "/"');
  }
  const owner: Fields<'id' | 'login' | 'full_name' | 'type' | 'avatar_url'> = isObject(r.owner) ? r.owner : {};
  const ownerId = identifier(owner.id, 'owner.id', 0);
  const login = owner.login;
  if (typeof login !== 'string' || !(rules.nestedOwners ? NESTED_LOGIN : LOGIN).test(login) || longerThan(login, 255)) {
    throw new Refused('owner.login', rules.nestedOwners ? 'must be 1 to 255 characters without spaces, "/" only between parts' : 'must be 1 to 255 characters without spaces or "/"');
  }
  const built = `${login}/${name}`;
  const held = typeof r.full_name === 'string' && (FULL_NAME.test(r.full_name) || r.full_name === built) && !longerThan(r.full_name, 512);
  const fullName = held ? (r.full_name as string) : built;
  if (longerThan(fullName, 512)) throw new Refused('full_name', 'must be at most 512 characters');
  const p = r.permissions;
  return {
    provider,
    id,
    name,
    full_name: fullName,
    owner: {
      id: ownerId,
      login,
      full_name: line(owner.full_name, 255),
      type: owner.type === 'Organization' ? 'Organization' : 'User',
      avatar_url: avatarUrl(owner.avatar_url),
    },
    description: typeof r.description === 'string' ? cut(r.description, 4096) : null,
    private: r.private === true,
    visibility: r.visibility === 'public' || r.visibility === 'private' || r.visibility === 'internal' ? r.visibility : r.private === true ? 'private' : 'public',
    fork: r.fork === true,
    archived: r.archived === true,
    html_url: webUrl(r.html_url),
    language: line(r.language, 128),
    size: count(r.size),
    stargazers_count: count(r.stargazers_count),
    watchers_count: count(r.watchers_count),
    default_branch: line(r.default_branch, 255),
    created_at: utcDate(r.created_at),
    updated_at: utcDate(r.updated_at),
    pushed_at: utcDate(r.pushed_at),
    permissions: isObject(p) ? permissions(p) : null,
  };
}

/** The access the token has, with `maintain` and `triage` only where the host says them (not every host does). */
function permissions(p: Fields<'admin' | 'push' | 'pull' | 'maintain' | 'triage'>): HostRepository['permissions'] {
  // Built by assignment, not from spreads: V8 builds it far faster.
  const out: NonNullable<HostRepository['permissions']> = { admin: p.admin === true, push: p.push === true, pull: p.pull === true };
  if (p.maintain !== undefined) out.maintain = p.maintain === true;
  if (p.triage !== undefined) out.triage = p.triage === true;
  return out;
}

/**
 * A host's whole listing in the spec's shape, or a 502 `UPSTREAM_UNAVAILABLE` naming the first field
 * and repository that no rule may change: the listing is refused whole, never shortened. A part of a
 * listing can be checked on its own: `skipped` repositories come before it (for the message).
 */
export function checkHostRepositories(provider: Provider, repos: readonly RepositoryInput[], skipped = 0, rules: HostRules = {}): HostRepository[] {
  return repos.map((repo, index) => {
    try {
      return normalise(repo, provider, rules);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      const which = typeof repo?.full_name === 'string' ? `"${cut(repo.full_name.replace(LINE_BREAKS, ' '), 200)}"` : `number ${skipped + index + 1} of the list`;
      const problem: ApiProblem = problems.upstreamUnavailable(
        provider,
        `${hostName(provider)} sent a repository this API cannot represent: ${error.field} ${error.why} (repository ${which}).`,
      );
      throw problem;
    }
  });
}

/**
 * A host account the spec cannot hold: a 502 naming the field, also where a failed host call is only
 * an unanswered check (`me`'s token status).
 */
export class UnrepresentableAccount extends ApiProblem {
  constructor(provider: Provider, detail: string) {
    super(502, 'UPSTREAM_UNAVAILABLE', detail, { provider });
  }
}

/** A host account as the spec holds it (`User`, `LinkedProvider`). */
export interface HostAccount {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
  scopes: string[];
}

/** An avatar the spec can hold (an absolute http(s) URI of at most 2048 characters), or null. */
function avatar(value: unknown): string | null {
  try {
    return webUrl(value);
  } catch {
    return null;
  }
}

/**
 * The account a host says a token belongs to (sign-in, `me`), held to the boundary a listing is: an
 * identity field the spec cannot hold (the id, the login) is a 502 `UPSTREAM_UNAVAILABLE` naming it;
 * the rest is normalised (a name cut to one line, an avatar that is not a URL dropped, scopes the
 * spec cannot hold left out).
 */
export function checkHostAccount(provider: Provider, account: HostAccount): HostAccount {
  try {
    const id = identifier(account.id, 'id', 1);
    const login = account.login;
    if (typeof login !== 'string' || !LOGIN.test(login) || longerThan(login, 255)) {
      throw new Refused('login', 'must be 1 to 255 characters without spaces or "/"');
    }
    const scopes = account.scopes.filter((s) => /^\S+$/.test(s) && !longerThan(s, 128)).slice(0, 50);
    return { id, login, name: line(account.name, 255), avatar_url: avatar(account.avatar_url), scopes };
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    throw new UnrepresentableAccount(provider, `${hostName(provider)} sent an account this API cannot represent: ${error.field} ${error.why}.`);
  }
}
