/**
 * A page of repositories as a page cache keeps it: the declared fields (`src/hosts/fields.ts`) and
 * nothing else, each repository a tuple in the declared order, with what the page's other fields say
 * left out: each owner, language and default branch once, a `full_name` that is `{owner}/{name}`, an `html_url` that is the page's web
 * address and `/{full_name}`, a visibility that `private` implies, dates as seconds, booleans and
 * permissions as numbers. Read back, a page is the one written, field for field (JSON's `undefined`
 * aside); about a fifth of the same repositories as JSON objects, a fortieth of GitHub's own objects
 * (`npm run bench -- --only listing`, "page cache").
 */
import { compileArray, compileLiteral, REPOSITORY_FIELDS, type RepositoryField } from './fields.ts';

type Kept = Exclude<RepositoryField, 'provider'>;

/** What is kept of a repository: the declared fields but `provider` (a page cache is one host's). */
export const KEPT_FIELDS = REPOSITORY_FIELDS.filter((f): f is Kept => f !== 'provider');

/** A repository in the declared field names; `full_name`, `html_url` and `visibility`, where present, are text or null. */
export type LeanInput = { readonly [K in Kept]?: unknown } & { readonly full_name?: string; readonly html_url?: string; readonly visibility?: string | null };

export interface LeanRepositories {
  /** The web address the repositories' `html_url` starts with, before `/{full_name}`; null when none does. */
  web: string | null;
  /** Each owner of the page once, as given. */
  owners: unknown[];
  /** Each language and default branch of the page once. */
  texts: string[];
  /** One tuple per repository: its kept fields in the declared order, each as its codec writes it. */
  repos: unknown[][];
}

interface Encoding {
  web: string | null;
  owners: unknown[];
  /** Per owner id, the places of the owners with that id (the same owner, unless the page disagrees with itself). */
  ownerAt: Map<unknown, number[]>;
  texts: string[];
  textAt: Map<string, number>;
}

interface Codec {
  encode(r: LeanInput, page: Encoding): unknown;
  decode(t: readonly unknown[], page: LeanRepositories): unknown;
}

const AT = Object.fromEntries(KEPT_FIELDS.map((f, i) => [f, i])) as Record<Kept, number>;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Kept as given. */
const asGiven = (field: Kept): Codec => ({ encode: (r) => r[field], decode: (t) => t[AT[field]] });

/** `true` and `false` as 1 and 0. */
const flag = (field: Kept): Codec => ({
  encode: (r) => (r[field] === true ? 1 : r[field] === false ? 0 : r[field]),
  decode: (t) => {
    const v = t[AT[field]];
    return v === 1 ? true : v === 0 ? false : v;
  },
});

/** Text that repeats across a page (a language, a branch) as its place in the page's texts; a number as `[n]`, anything else as given. */
const shared = (field: Kept): Codec => ({
  encode: (r, page) => {
    const v = r[field];
    if (typeof v === 'number') return [v];
    if (typeof v !== 'string') return v;
    let at = page.textAt.get(v);
    if (at === undefined) {
      at = page.texts.push(v) - 1;
      page.textAt.set(v, at);
    }
    return at;
  },
  decode: (t, page) => {
    const v = t[AT[field]];
    return typeof v === 'number' ? page.texts[v] : Array.isArray(v) ? v[0] : v;
  },
});

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (H. Hinnant's `civil_from_days`): no Date, no parsing. */
function dateOf(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const rest = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3600);
  const minute = Math.floor((rest % 3600) / 60);
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(rest % 60)}Z`;
}

/** The number `length` ASCII digits of `text` from `at` write, or NaN where one is not a digit. */
function digits(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/** Seconds since the epoch of a real time written `YYYY-MM-DDTHH:MM:SSZ`, or undefined for any other text. */
function secondsOf(text: string): number | undefined {
  if (text.length !== 20 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== 'Z') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  // NaN fails every comparison below: a text with a non-digit is not a time.
  if (!(days !== undefined && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59 && year >= 0)) return undefined;
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

/** An RFC 3339 time in UTC with whole seconds (as hosts send them) as seconds since the epoch; any other value as given. */
const date = (field: Kept): Codec => ({
  encode: (r) => {
    const v = r[field];
    return typeof v === 'string' ? (secondsOf(v) ?? v) : v;
  },
  decode: (t) => {
    const v = t[AT[field]];
    return typeof v === 'number' ? dateOf(v) : v;
  },
});

/** The same owner: the same fields with the same values, in the same order (so that one read back is the one written). */
function sameOwner(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  const other = Object.keys(b);
  return keys.length === other.length && keys.every((k, i) => other[i] === k && a[k] === b[k]);
}

const ownerOf = (t: readonly unknown[], page: LeanRepositories) => page.owners[t[AT.owner] as number] as { login?: unknown } | undefined;
const fullNameOf = (t: readonly unknown[], page: LeanRepositories): unknown => {
  const v = t[AT.full_name];
  return v === 0 ? `${ownerOf(t, page)?.login}/${t[AT.name]}` : v;
};

/** GitHub's five permissions, in the order it sends them: a bit each, and 32 to say it is permissions. */
const PERMISSIONS = ['admin', 'maintain', 'push', 'triage', 'pull'] as const;
const PERMISSION_KEYS = PERMISSIONS.join(',');

const CODECS = {
  id: asGiven('id'),
  name: asGiven('name'),
  full_name: {
    encode: (r) => (isObject(r.owner) && r.full_name === `${r.owner.login}/${r.name}` ? 0 : r.full_name),
    decode: fullNameOf,
  },
  owner: {
    encode: (r, page) => {
      const owner = r.owner;
      const id = isObject(owner) ? owner.id : owner;
      const places = page.ownerAt.get(id) ?? [];
      const found = places.find((at) => sameOwner(page.owners[at], owner));
      if (found !== undefined) return found;
      const at = page.owners.push(owner) - 1;
      page.ownerAt.set(id, [...places, at]);
      return at;
    },
    decode: (t, page) => page.owners[t[AT.owner] as number],
  },
  description: asGiven('description'),
  private: flag('private'),
  visibility: {
    encode: (r) => (r.visibility === (r.private === true ? 'private' : 'public') ? 0 : r.visibility),
    decode: (t) => {
      const v = t[AT.visibility];
      return v === 0 ? (t[AT.private] === 1 ? 'private' : 'public') : v;
    },
  },
  fork: flag('fork'),
  archived: flag('archived'),
  html_url: {
    encode: (r, page) => {
      const url = r.html_url;
      if (typeof url !== 'string' || typeof r.full_name !== 'string') return url;
      const tail = `/${r.full_name}`;
      if (page.web === null && url.endsWith(tail) && url.length > tail.length) page.web = url.slice(0, -tail.length);
      return page.web !== null && url === page.web + tail ? 0 : url;
    },
    decode: (t, page) => {
      const v = t[AT.html_url];
      return v === 0 ? `${page.web}/${fullNameOf(t, page)}` : v;
    },
  },
  language: shared('language'),
  size: asGiven('size'),
  stargazers_count: asGiven('stargazers_count'),
  watchers_count: asGiven('watchers_count'),
  default_branch: shared('default_branch'),
  created_at: date('created_at'),
  updated_at: date('updated_at'),
  pushed_at: date('pushed_at'),
  permissions: {
    encode: (r) => {
      const p = r.permissions;
      if (!isObject(p) || Object.keys(p).join(',') !== PERMISSION_KEYS || !PERMISSIONS.every((k) => typeof p[k] === 'boolean')) return p;
      return PERMISSIONS.reduce((bits, k, i) => (p[k] === true ? bits | (1 << i) : bits), 32);
    },
    decode: (t) => {
      const v = t[AT.permissions];
      if (typeof v !== 'number') return v;
      return { admin: (v & 1) !== 0, maintain: (v & 2) !== 0, push: (v & 4) !== 0, triage: (v & 8) !== 0, pull: (v & 16) !== 0 };
    },
  },
} as const satisfies Record<Kept, Codec>;

/** One repository as a tuple: an array literal of the kept fields in the declared order (see `compileArray`). */
const encodeOne = compileArray<(r: LeanInput, page: Encoding) => unknown[]>(
  ['r', 'page'],
  KEPT_FIELDS.map((f) => `C.${f}.encode(r, page)`),
  { C: CODECS },
);

/** One repository read back: an object literal with the kept fields in the declared order (see `compileLiteral`). */
const decodeOne = compileLiteral<(t: readonly unknown[], page: LeanRepositories) => unknown>(
  ['t', 'page'],
  KEPT_FIELDS.map((f) => [f, `C.${f}.decode(t, page)`]),
  { C: CODECS },
);

/** A page's repositories as a page cache keeps them. */
export function encodeRepositories(repos: readonly LeanInput[]): LeanRepositories {
  const page: Encoding = { web: null, owners: [], ownerAt: new Map(), texts: [], textAt: new Map() };
  const tuples = repos.map((r) => encodeOne(r, page));
  return { web: page.web, owners: page.owners, texts: page.texts, repos: tuples };
}

/** The repositories `encodeRepositories` was given, read back from what it wrote. */
export function decodeRepositories<T>(page: LeanRepositories): T[] {
  return page.repos.map((t) => decodeOne(t, page) as T);
}
