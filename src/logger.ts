import { pino, type DestinationStream, type Logger } from 'pino';
import { traceFields, tracing } from './telemetry/tracing.ts';

const SECRET_PARAMS = /^(code|state|token|access_token|client_secret|code_verifier)$/i;

/** The request URL with every secret-bearing query value replaced, so an OAuth code never reaches a log line. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (SECRET_PARAMS.test(key)) params.set(key, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      // With traces on, each line carries the trace and span it was written in.
      ...(tracing() ? { mixin: traceFields } : {}),
      // Credentials never reach the logs, whichever object they travel in.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.token',
          '*.access_token',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
