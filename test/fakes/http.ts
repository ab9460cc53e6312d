/** HTTP plumbing the fake git hosts share: start-up, serving, latency, delivering answers as faults shape them. */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './types.ts';

/** An answer before it is written. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export interface ListenOptions {
  /** Loopback by default. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

/**
 * Serves `handle` on a real HTTP server. A handler that throws answers `failed(error)`, or has its
 * connection destroyed when the answer has already begun.
 */
export async function listen(
  handle: (req: IncomingMessage, res: ServerResponse, baseUrl: string) => Promise<void>,
  failed: (error: unknown) => Reply,
  options: ListenOptions,
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  let baseUrl = '';
  const server = createServer((req, res) => {
    handle(req, res, baseUrl).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else write(res, failed(error));
    });
  });
  // Like a real host, the fake keeps idle connections longer than the app's client does, so only the
  // client closes them: no request is ever sent on a connection the fake is closing (see the harness).
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  return {
    baseUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Requests held by a `timeout` fault would otherwise keep the server open.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** What every fake's start takes besides its own data and switches. */
export interface FakeOptions extends ListenOptions {
  /** Delay before every answer (default none). */
  latencyMs?: number;
  /** When set, the OAuth endpoints insist on these credentials (hosts with OAuth). */
  clientId?: string;
  clientSecret?: string;
  /** Shows a page listing the accounts when the authorize step names no `login` (the sandbox). */
  signInPage?: boolean;
  /** Signed in by the authorize step when it names no `login` and shows no page; the first user by default. */
  defaultLogin?: string;
}

/** What `startFake` sets on a fake's state from its options. */
interface Configurable {
  latencyMs: number;
  clientId: string | undefined;
  clientSecret: string | undefined;
  signInPage: boolean;
  defaultLogin: string | undefined;
}

/**
 * Serves a fake's state (its accounts already added) on loopback, with what every fake's options say of it set:
 * `handle` answers each request, `failed` one whose handler threw.
 */
export async function startFake<State extends Configurable>(
  state: State,
  options: FakeOptions,
  handle: (state: State, baseUrl: string, req: IncomingMessage, res: ServerResponse) => Promise<void>,
  failed: (error: unknown) => Reply,
): Promise<{ baseUrl: string; state: State; close(): Promise<void> }> {
  state.latencyMs = options.latencyMs ?? 0;
  state.clientId = options.clientId;
  state.clientSecret = options.clientSecret;
  state.signInPage = options.signInPage ?? false;
  if (options.defaultLogin) state.defaultLogin = options.defaultLogin;
  const { baseUrl, close } = await listen((req, res, baseUrl) => handle(state, baseUrl, req, res), failed, options);
  return { baseUrl, state, close };
}

/** What `serve` reads and writes of a fake's state. */
interface Serving<Route extends string, Request> extends FakeHost {
  count(route: Route | 'other', res: ServerResponse): void;
  record(request: Request): void;
}

/**
 * How every fake handles a request: counted and recorded as `route` (with what the fake records beyond the
 * common fields in `extra`), then answered as `how` says: its fault, if any, or the real reply.
 */
export async function serve<Route extends string, Request extends RecordedRequest<Route>, Fault extends { kind: unknown; latencyMs?: number; bodyDelayMs?: number }>(
  state: Serving<Route, Request>,
  req: IncomingMessage,
  res: ServerResponse,
  at: { url: URL; route: Route | 'other' },
  extra: Omit<Request, keyof RecordedRequest<Route>>,
  how: Responding<Fault>,
): Promise<void> {
  state.count(at.route, res);
  state.record({
    method: req.method ?? 'GET',
    route: at.route,
    query: Object.fromEntries(at.url.searchParams),
    ifNoneMatch: req.headers['if-none-match'],
    authorization: req.headers.authorization,
    traceparent: typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined,
    ...extra,
  } as Request);
  await respond(state, req, res, how);
}

/** A request's body as text, refused above `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain HTML page that says `text`: how the fakes' OAuth pages refuse. */
export function html(status: number, text: string): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!DOCTYPE html><title>${text}</title><p>${text}</p>` };
}

/** How a host's sign-in page looks and what it says. */
export interface SignInPage {
  /** "Sign in to the fake GitHub". */
  title: string;
  intro: string;
  /** The link that denies access. */
  deny: string;
  /** The host's colours: an account's border and its hover background, the muted text; the border's radius. */
  look: { border: string; radius: string; hover: string; muted: string };
  /** Each account: its login, its name, and what is said of it on the right. */
  accounts: Array<{ login: string; name: string; aside: string }>;
}

/** The fakes' own sign-in page: one link per account, each continuing the same authorization with its `login`. */
export function signInPage(url: URL, page: SignInPage): Reply {
  const items = page.accounts
    .map((account) => {
      const next = new URL(url);
      next.searchParams.set('login', account.login);
      return `<li><a class="account" data-login="${escapeHtml(account.login)}" href="${escapeHtml(next.pathname + next.search)}"><strong>${escapeHtml(account.login)}</strong> ${escapeHtml(account.name)} <span>${escapeHtml(account.aside)}</span></a></li>`;
    })
    .join('\n');
  const deny = new URL(url);
  deny.searchParams.set('login', '');
  const { border, radius, hover, muted } = page.look;
  const body = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${page.title}</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}li{list-style:none;margin:.5rem 0}a.account{display:block;padding:.75rem 1rem;border:1px solid ${border};border-radius:${radius};color:inherit;text-decoration:none}a.account:hover{background:${hover}}span{color:${muted};float:right}</style></head>
<body>
<h1>${page.title}</h1>
<p>${page.intro}</p>
<ul>
${items}
</ul>
<p><a href="${escapeHtml(deny.pathname + deny.search)}">${page.deny}</a></p>
</body>
</html>`;
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
}

/** What `respond` reads of a fake's state; passed whole because a test may reset the counters while a request waits. */
export interface FakeHost {
  latencyMs: number;
  /** Answers wait for this too, while it is set. */
  held?: Promise<unknown> | undefined;
  counters: { notModified: number };
}

export interface Responding<Fault extends { kind: unknown }> {
  /** The fault this request meets, if any. */
  takeFault(): Fault | undefined;
  /** The fault's own reply, or else the real one. */
  reply(fault: Fault | undefined): Reply | Promise<Reply>;
  /** Headers added to a body that a `badJson` or `truncated` fault garbles. */
  garbledHeaders?: Record<string, string>;
}

/**
 * Answers a request the way its fault (if any) says: never, with a reset connection, with a
 * garbled or cut-off body, or with the reply as it is. An answer leaves `latencyMs` after the
 * request arrived: the reply is worked out at once and the rest of the latency is waited out, as a
 * remote server's own time is part of its round trip.
 */
export async function respond<Fault extends { kind: unknown; latencyMs?: number; bodyDelayMs?: number }>(
  host: FakeHost,
  req: IncomingMessage,
  res: ServerResponse,
  how: Responding<Fault>,
): Promise<void> {
  const arrived = performance.now();
  // The fault is settled when the request arrives, so a request still waiting out its latency
  // never takes a fault that was set up after it was sent.
  const fault = how.takeFault();
  const latency = fault?.latencyMs ?? host.latencyMs;
  const waitOut = async () => {
    const left = latency - (performance.now() - arrived);
    if (left > 0) await sleep(left);
    // Read once the latency is over: the hold set then (if any) holds this answer.
    if (host.held) await host.held;
  };
  if (fault?.kind === 'timeout' || fault?.kind === 'reset') {
    await waitOut();
    if (fault.kind === 'reset' && !res.destroyed) req.socket.destroy();
    return;
  }
  const reply = await how.reply(fault);
  await waitOut();
  if (res.destroyed) return;
  if (fault?.kind === 'slowBody') {
    const body = reply.body ?? '';
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(body)) });
    res.flushHeaders();
    await sleep(fault.bodyDelayMs ?? 1_000);
    if (!res.destroyed) res.end(body);
    return;
  }
  if (fault?.kind !== 'badJson' && fault?.kind !== 'truncated') {
    if (reply.status === 304) host.counters.notModified++;
    write(res, reply);
    return;
  }
  const headers = { ...withoutEtag(reply.headers), ...how.garbledHeaders };
  if (fault.kind === 'badJson') {
    // A strict prefix of a JSON array or object never parses.
    const body = reply.body && reply.body.length > 1 ? reply.body.slice(0, Math.ceil(reply.body.length / 2)) : '[';
    write(res, { status: 200, headers, body });
  } else {
    const body = reply.body && reply.body.length > 1 ? reply.body : '[{"id":1}]';
    const part = Buffer.from(body).subarray(0, Math.ceil(Buffer.byteLength(body) / 2));
    res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.write(part, () => res.socket?.destroy());
  }
}

function write(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const body = reply.body ?? '';
  const headers = reply.status === 304 ? reply.headers : { ...reply.headers, 'content-length': String(Buffer.byteLength(body)) };
  res.writeHead(reply.status, headers);
  res.end(reply.status === 304 ? undefined : body);
}

/** `If-None-Match` against the ETag `"hash"`, by the weak comparison: W/"x" and "x" match each other. */
export function etagMatches(ifNoneMatch: string | undefined, hash: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === `"${hash}"`;
  });
}

/** The request's URL, absolute and asking for `page`: a `Link` header's target. */
export function pageUrl(baseUrl: string, url: URL, page: number): string {
  const target = new URL(url.pathname + url.search, baseUrl);
  target.searchParams.set('page', String(page));
  return target.toString();
}

export function positiveInt(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const value = Number.parseInt(raw, 10);
  return Number.isFinite(value) && value >= 1 ? value : undefined;
}

function withoutEtag(headers: Record<string, string>): Record<string, string> {
  const { etag: _etag, ...rest } = headers;
  return rest;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
