import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ApiProblem, problems, type ValidationIssue } from '../contract/problem.ts';
import type { HostProblem, Problem } from '../contract/types.ts';
import { StorageUnavailableError } from '../store/db.ts';

/** Each problem type's section of the reference this app serves at /docs, relative to the API's origin. */
const PROBLEM_TYPE_BASE = '/docs#section/';

export function problemBody(problem: ApiProblem, instance: string, requestId: string): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${problem.code.toLowerCase()}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
    // The one code outside `ProblemCode` (ACCOUNT_CONFLICT) is sent only by sign-in, whose 409 has its own schema of this shape.
    code: problem.code as Problem['code'],
    request_id: requestId,
    ...problem.extras,
  };
}

/**
 * A git host's failure, for a listing's `providers[].problem`. Only a host's failure gets there (our
 * storage failing, or a request arriving too slowly, fails the whole request), so its code is a host's.
 */
export function hostProblemBody(problem: ApiProblem, instance: string, requestId: string): HostProblem {
  const body: Record<string, unknown> = problemBody(problem, instance, requestId);
  // A host's hint is given in its entry's `hints`, beside the problem, not in it.
  delete body.hint;
  return body as HostProblem;
}

/** The request path as sent, with a stray `%` escaped so the problem's `instance` stays a URI reference. */
const asUriReference = (path: string) => path.replace(/%(?![0-9A-Fa-f]{2})/g, '%25');

const BEARER_CHALLENGE = 'Bearer realm="repositories-api"';

export function sendProblem(res: Response, problem: ApiProblem): void {
  const req = res.req;
  if (problem.extras.retry_after !== undefined) res.setHeader('Retry-After', String(problem.extras.retry_after));
  // A problem answered before the request's body arrived (a 401 to a slow or endless upload, say):
  // the connection closes with it, rather than waiting on the rest.
  if (!req.complete) res.setHeader('Connection', 'close');
  // Every 401 names the scheme to authenticate with (RFC 9110 §15.5.2), with RFC 6750's error when a token was sent.
  if (problem.status === 401) res.setHeader('WWW-Authenticate', req.headers.authorization ? `${BEARER_CHALLENGE}, error="invalid_token"` : BEARER_CHALLENGE);
  res
    .status(problem.status)
    .type('application/problem+json')
    .json(problemBody(problem, asUriReference(req.originalUrl.split('?')[0] ?? '/'), String(req.id)));
}

interface ValidatorError {
  status?: number;
  type?: string;
  errors?: Array<{ path?: string; message?: string }>;
  message?: string;
}

/** `.query.per_page` / `/body/repo_id` → `query.per_page` / `body.repo_id`. */
const issuePath = (raw: string | undefined): string =>
  (raw ?? 'request').replace(/^[./]+/, '').replace(/\//g, '.').replace(/^headers\./, 'header.') || 'request';

/** Turns what express, body-parser and the OpenAPI validator throw into our problems. */
export function toProblem(error: unknown): ApiProblem | undefined {
  if (error instanceof ApiProblem) return error;
  if (error instanceof StorageUnavailableError) return problems.storageUnavailable(error);
  const e = error as ValidatorError;
  if (typeof e?.status !== 'number') return undefined;
  if (e.type === 'entity.too.large') return new ApiProblem(413, 'PAYLOAD_TOO_LARGE', 'The request body must be at most 16 KiB.');
  if (e.type === 'entity.parse.failed') return problems.validation([{ path: 'body', message: 'is not valid JSON' }]);
  switch (e.status) {
    case 400: {
      const issues: ValidationIssue[] = (e.errors ?? []).map((i) => ({
        path: issuePath(i.path),
        message: i.message ?? 'is invalid',
      }));
      return problems.validation(issues.length ? issues : [{ path: 'request', message: e.message ?? 'is invalid' }]);
    }
    case 404:
      return problems.notFound('No such resource.');
    case 405:
      return new ApiProblem(405, 'METHOD_NOT_ALLOWED', 'This method is not allowed on this resource.');
    case 413:
      return new ApiProblem(413, 'PAYLOAD_TOO_LARGE', 'The request body must be at most 16 KiB.');
    case 415:
      return new ApiProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.');
    default:
      return undefined;
  }
}

export interface ErrorHandlerOptions {
  /** The methods a path answers, for the `Allow` header of a 405; empty when the path is unknown. */
  allowedMethods?: (path: string) => string[];
}

/** The underlying error of a problem (a socket error, say), for the log only. */
function causeOf(error: unknown): string | undefined {
  const messages: string[] = [];
  let current = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    messages.push(code && !current.message.includes(code) ? `${code}: ${current.message}` : current.message);
    current = current.cause;
  }
  return messages.length ? messages.join(' ← ') : undefined;
}

/**
 * The one place a failure becomes an answer: a spec-conformant problem, never a stack trace. Whatever
 * fails while the problem itself is sent (its body breaks the spec under response validation, say), the
 * answer is still a bare problem+json 500 written here: Express's own HTML error page is never reached.
 */
export function errorHandler(logger: Logger, options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  return (error, req, res, _next) => {
    let problem: ApiProblem | undefined;
    try {
      problem = toProblem(error);
      if (!problem || problem.status >= 500) {
        const cause = causeOf(error);
        logger.error({ err: error, request_id: req.id, ...(cause ? { cause } : {}) }, problem ? problem.detail : 'unhandled error');
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (problem?.status === 405 && options.allowedMethods) {
        const allowed = options.allowedMethods(req.path);
        if (allowed.length) res.setHeader('Allow', allowed.join(', '));
      }
      sendProblem(res, problem ?? problems.internal());
    } catch (failure) {
      lastResort(res, logger, failure, req.id, problem);
    }
  };
}

/**
 * Replaces Express's final handler (its HTML error page) for this app. A failure while the error
 * answer is sent does not always come back to `errorHandler` as an exception: the response validator
 * catches it and calls `next(error)` again, and Express, already past its last handler, would answer
 * with its own HTML page and stack trace. It lands here instead.
 */
export function replaceFinalHandler(app: Express, logger: Logger): void {
  const handle = (app as unknown as { handle: (req: Request, res: Response, done?: (error?: unknown) => void) => void }).handle.bind(app);
  (app as unknown as { handle: typeof handle }).handle = (req, res, done) =>
    handle(req, res, done ?? ((error?: unknown) => lastResort(res, logger, error ?? new Error('no handler answered'), req.id, undefined)));
}

/** A 500 problem written straight to the socket, past every wrapper of `res.json`. */
function lastResort(res: Response, logger: Logger, failure: unknown, requestId: unknown, problem: ApiProblem | undefined): void {
  try {
    logger.error({ err: failure, request_id: requestId, problem: problem?.code }, 'the error answer could not be sent; answered 500');
  } catch {
    // Logging must not stop the answer.
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  try {
    const id = typeof requestId === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(requestId) ? requestId : 'unknown';
    for (const name of res.getHeaderNames()) {
      if (!['x-request-id', 'ratelimit', 'ratelimit-policy', 'vary', 'access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers'].includes(name) && !/^(x-|strict-|content-security|cross-origin|origin-|referrer|cache-control)/.test(name)) {
        res.removeHeader(name);
      }
    }
    const body = JSON.stringify({
      type: `${PROBLEM_TYPE_BASE}internal`,
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'INTERNAL',
      request_id: id,
    } satisfies Problem);
    res.statusCode = 500;
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  } catch {
    res.destroy();
  }
}
