import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** The most request line and headers the server reads: Node's default, said out loud. */
export const MAX_HEADER_BYTES = 16 * 1024;

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
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const requestId = randomUUID();
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify(
      tooLarge
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
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
