import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** The most request line and headers the server reads: Node's default, said out loud. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** How often the server looks for requests past their deadlines (Node's default is 30 s, which would make a 10 s bound 40 s). */
const DEADLINE_CHECK_MS = 1_000;

/**
 * The HTTP server's options for slow clients: the request line and headers within `headersMs`, the
 * whole request (its body too) within `requestMs`; past either, 408 and the connection is closed.
 */
export function serverOptions(timeouts: { headersMs: number; requestMs: number }) {
  return {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: timeouts.headersMs,
    requestTimeout: Math.max(timeouts.requestMs, timeouts.headersMs),
    connectionsCheckingInterval: DEADLINE_CHECK_MS,
  };
}

/**
 * What Node answers by itself, before any request reaches the app: a request line or headers larger
 * than `MAX_HEADER_BYTES` (431), or bytes that are not HTTP (400). Answered as our problems, so a
 * client gets problem+json like everywhere else, and the connection is closed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // An answer of the app already on its way: nothing can be added to it, only the connection closed.
    if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const requestId = randomUUID();
    const status = tooLarge ? 431 : timedOut ? 408 : 400;
    const body = JSON.stringify(
      timedOut
        ? {
            type: '/docs#section/request_timeout',
            title: 'Request timeout',
            status,
            detail: 'The request did not arrive in time; the connection is closed.',
            code: 'REQUEST_TIMEOUT',
            request_id: requestId,
          }
        : tooLarge
        ? {
            type: 'https://example.com/repositories-api/problems#request_headers_too_large',
            title: 'Request headers too large',
            status,
            detail: `The request line and headers must be at most ${MAX_HEADER_BYTES / 1024} KiB.`,
            code: 'REQUEST_HEADERS_TOO_LARGE',
            request_id: requestId,
          }
        : {
            type: 'https://example.com/repositories-api/problems#validation_failed',
            title: 'Validation failed',
            status,
            detail: 'The request is not valid HTTP.',
            code: 'VALIDATION_FAILED',
            request_id: requestId,
          },
    );
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : timedOut ? 'Request Timeout' : 'Bad Request'}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
