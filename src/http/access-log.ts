import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Level, Logger } from 'pino';
import { redactUrl } from '../logger.ts';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id: the caller's `X-Request-Id` when well formed, otherwise a new UUID. */
    id: string;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AccessLogOptions {
  /** The level of the line for an answer, or of a request the client gave up on (`aborted`). */
  levelOf(statusCode: number, elapsedMs: number, aborted: boolean): Level;
}

/**
 * Gives each request its id (echoed in `X-Request-Id`) and logs one line when it ends: method, URL
 * with secrets redacted, status and time. Nothing is formatted or allocated for the log while the
 * request runs, and nothing at all when the line's level is off.
 */
export function accessLog(logger: Logger, options: AccessLogOptions): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    // Emitted once the answer is sent, or when the connection closed before it could be.
    res.once('close', () => {
      const aborted = !res.writableFinished;
      const elapsedMs = performance.now() - started;
      const level = options.levelOf(res.statusCode, elapsedMs, aborted);
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id, method: req.method, url: redactUrl(req.originalUrl) },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(elapsedMs),
        },
        aborted ? 'request aborted' : 'request completed',
      );
    });
    next();
  };
}
