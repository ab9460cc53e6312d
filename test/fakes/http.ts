/** HTTP plumbing the fake git hosts share: serving, latency, delivering answers as faults shape them. */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
