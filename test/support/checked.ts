/**
 * The one contract check of the test suite: every answer our app gives a test is checked against the
 * spec by a validator independent of the app's own middleware; a violation fails the request (and so
 * the test), and every conforming (operation, status) is recorded for the spec-coverage gate. Nothing
 * is patched: tests pass one of these fetches to the client, or call it themselves.
 */
import { get as httpGet, type Agent } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { loadContract, type ObservedResponse } from './contract.ts';

const contract = await loadContract();

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** As `checkAnswer`, for an answer already read (its body parsed). */
export function checkObserved(observed: ObservedResponse): void {
  const { errors } = contract.check(observed);
  if (errors.length) {
    const path = new URL(observed.path, 'http://contract.invalid').pathname;
    throw new ContractViolation(`${observed.method} ${path} answered ${observed.status} against the spec:\n  ${errors.join('\n  ')}`);
  }
}

/** Throws ContractViolation when an answer of our app disagrees with the spec. */
export function checkAnswer(method: string, url: string, status: number, headers: Headers | Record<string, string | string[] | undefined>, text: string): void {
  const { pathname, search } = new URL(url);
  const type = (headers instanceof Headers ? headers.get('content-type') : headers['content-type']) ?? '';
  const body = text === '' ? undefined : /json/.test(String(type)) ? (JSON.parse(text) as unknown) : text;
  const { errors } = contract.check({ method, path: pathname + search, status, headers, body });
  if (errors.length) throw new ContractViolation(`${method} ${pathname} answered ${status} against the spec:\n  ${errors.join('\n  ')}`);
}

/** One request to our app and its answer, as the client saw it. */
export interface Exchange {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

export interface CheckedFetchOptions {
  /** Every exchange is appended here. */
  record?: Exchange[];
  /** false for requests the spec does not describe (CORS preflights). */
  check?: boolean;
  /** Only answers from these origins are checked (the apps under test); every answer when omitted. */
  origins?: ReadonlySet<string>;
}

/** A fetch that fails with ContractViolation when our app's answer disagrees with the spec. */
export function checkedFetch(options: CheckedFetchOptions = {}): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const response = await fetch(request);
    if (options.origins && !options.origins.has(new URL(request.url).origin)) return response;
    const text = await response.clone().text();
    options.record?.push({ method: request.method, url: request.url, status: response.status, headers: response.headers, body: text });
    if (options.check !== false) checkAnswer(request.method, request.url, response.status, response.headers, text);
    return response;
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Decoded from its `Content-Encoding`. */
  body: string;
  /** The body's bytes as they came over the wire (compressed, when it was). */
  wireBytes: number;
}

/** The body decoded from the answer's `Content-Encoding` (br or gzip), as a client that accepted them does. */
function decoded(body: Buffer, coding: string | string[] | undefined): Buffer {
  if (coding === 'br') return brotliDecompressSync(body);
  if (coding === 'gzip') return gunzipSync(body);
  if (coding !== undefined) throw new Error(`an answer in an unexpected coding: ${String(coding)}`);
  return body;
}

/**
 * A GET over node:http, for when the connection matters (a keep-alive agent that reuses one socket):
 * fetch hides its connections (and the bytes on the wire). The answer is checked against the spec.
 */
export function rawGet(url: string, options: { agent?: Agent; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { ...(options.agent ? { agent: options.agent } : {}), headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        try {
          const wire = Buffer.concat(chunks);
          const answer = { status: res.statusCode ?? 0, headers: res.headers, body: decoded(wire, res.headers['content-encoding']).toString('utf8'), wireBytes: wire.length };
          checkAnswer('GET', url, answer.status, answer.headers, answer.body);
          resolve(answer);
        } catch (error) {
          reject(error);
        }
      });
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
