import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { LRUCache } from 'lru-cache';

export type Coding = 'br' | 'gzip';

/** Smaller bodies go as they are: their compressed form saves less than its headers and CPU cost. */
const MIN_BYTES = 1024;

/**
 * A body and its compressed forms, each made the first time a client asks for it and kept: an answer
 * sent again (a warm listing, the spec, the reference) is compressed once. Brotli at quality 5 takes
 * about as long as gzip's default and makes a smaller body.
 */
export class Encoded {
  readonly identity: Buffer;
  private readonly coded = new Map<Coding, Buffer>();

  constructor(identity: Buffer) {
    this.identity = identity;
  }

  in(coding: Coding | undefined): Buffer {
    if (coding === undefined) return this.identity;
    let body = this.coded.get(coding);
    if (!body) {
      body =
        coding === 'br'
          ? brotliCompressSync(this.identity, {
              params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: this.identity.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
            })
          : gzipSync(this.identity);
      this.coded.set(coding, body);
    }
    return body;
  }
}

/**
 * The coding to send for an `Accept-Encoding` value: br or gzip, whichever has the higher weight
 * (`q`), br when they tie (a client lists them in any order; br makes the smaller body). A coding
 * not named takes the weight of `*`, if any; weight 0 refuses it.
 */
export function preferred(header: string): Coding | 'identity' {
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    weights.set(name.trim(), Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0);
  }
  const weightOf = (coding: Coding) => weights.get(coding) ?? weights.get('*') ?? 0;
  const br = weightOf('br');
  const gzip = weightOf('gzip');
  if (br > 0 && br >= gzip) return 'br';
  return gzip > 0 ? 'gzip' : 'identity';
}

/**
 * Picks the coding of an answer from the request's `Accept-Encoding` (RFC 9110 §12.5.3): br, else
 * gzip, else none. A request without the header gets the body as it is. `enabled` false (a proxy in
 * front compresses) always sends it as it is.
 */
export function compression(enabled: boolean) {
  // Clients send a handful of distinct headers: each is parsed once.
  const byHeader = new LRUCache<string, Coding | 'identity'>({ max: 256 });

  function codingOf(req: Request): Coding | undefined {
    const header = req.headers['accept-encoding'];
    if (!enabled || !header) return undefined;
    let coding = byHeader.get(header);
    if (coding === undefined) byHeader.set(header, (coding = preferred(header)));
    return coding === 'identity' ? undefined : coding;
  }

  return {
    enabled,
    /** The header an answer whose coding follows `Accept-Encoding` carries, so caches keep each coding apart. */
    vary: enabled ? 'Accept-Encoding' : undefined,
    /**
     * Sends the body in the coding the client accepts, with its `Content-Length` (and
     * `Content-Encoding`); the other headers, `Vary` among them, are the caller's. The status is the response's.
     */
    send(req: Request, res: Response, body: Encoded): void {
      const coding = body.identity.length >= MIN_BYTES ? codingOf(req) : undefined;
      const bytes = body.in(coding);
      if (coding) res.setHeader('Content-Encoding', coding);
      // Said for HEAD too, which is its GET without the body.
      res.setHeader('Content-Length', String(bytes.length));
      res.end(bytes);
    },
  };
}

export type Compression = ReturnType<typeof compression>;
