import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ApiProblem, problems, type ValidationIssue } from './problem.ts';
import type { Problem } from './types.ts';

/** Each problem type's section of the reference this app serves at /docs, relative to the API's origin. */
const PROBLEM_TYPE_BASE = '/docs#section/';

export function problemBody(problem: ApiProblem, instance: string, requestId: string): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${problem.code.toLowerCase()}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
    code: problem.code,
    request_id: requestId,
    ...problem.extras,
  };
}

/** The request path as sent, with a stray `%` escaped so the problem's `instance` stays a URI reference. */
const asUriReference = (path: string) => path.replace(/%(?![0-9A-Fa-f]{2})/g, '%25');

export function sendProblem(res: Response, problem: ApiProblem): void {
  const req = res.req;
  if (problem.extras.retry_after !== undefined) res.setHeader('Retry-After', String(problem.extras.retry_after));
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

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(problems.notFound('No such resource.'));

/** The one place a failure becomes an answer: a spec-conformant problem, never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const problem = toProblem(error);
    if (!problem || problem.status >= 500) {
      const log = req.log ?? logger;
      log.error({ err: error, request_id: req.id }, problem ? problem.detail : 'unhandled error');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, problem ?? problems.internal());
  };
}
