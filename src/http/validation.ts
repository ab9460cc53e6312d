import type { Express, Request, RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { ApiProblem, problems } from '../contract/problem.ts';
import type { OpenApiDocument } from './openapi.ts';
import { nothingToValidate, type OperationIndex, type OperationInfo } from './operations.ts';

/**
 * What express-openapi-validator leaves on `req.openapi` when it has found a request's operation
 * (`OpenApiRequestMetadata`, plus the copy of the operation its response check reads).
 */
interface ValidatorMatch {
  expressRoute: string;
  openApiRoute: string;
  pathParams: Record<string, string>;
  schema: unknown;
  serial: number;
  _responseSchema?: unknown;
}

/** A request as the validator's steps read it. */
type Fed = Request & { openapi?: ValidatorMatch };

/** The path parameters the validator was given with a request (decoded), if it ran. */
export function validatedPathParams(req: Request): Record<string, string> | undefined {
  return (req as Fed).openapi?.pathParams;
}

type Step = (req: Request, res: Parameters<RequestHandler>[1], next: (error?: unknown) => void) => unknown;

/**
 * A request's path parameters, decoded as Express decodes a route's, or the problem with one that is
 * not valid percent-encoding.
 */
export function pathParamsOf(operations: OperationIndex) {
  return (operation: OperationInfo, path: string): Record<string, string> | ApiProblem => {
    const params = operations.pathParams(operation, path);
    for (const [name, value] of Object.entries(params)) {
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        return problems.validation([{ path: `path.${name}`, message: 'is not valid percent-encoding' }]);
      }
    }
    return params;
  };
}

export interface ValidationOptions {
  /** Checks every answer against the spec; `onError` is told of an answer that breaks it. */
  validateResponses: false | { onError: (error: unknown, body: unknown, req: Request) => void };
}

/**
 * The request and response checks of express-openapi-validator, fed the operation our index found.
 *
 * The app matches a request once: `identifyOperation` (our index, `operations.ts`) names its operation,
 * and authentication, metrics, logs, the validator and the dispatch to a handler all use that. The
 * validator's own route lookup (its metadata step, which tests the path against every route's pattern)
 * runs only here at start, once per operation of the spec, on the operation's own template: what it
 * finds there (its prepared copy of the operation, for the request and the response check) is kept per
 * operation, and a start where it finds another operation than ours stops with an error. On a request,
 * `req.openapi` is set from that and the path parameters our index read, and the validator's request
 * and response steps run on it: both read `req.openapi` and look nothing up again.
 *
 * A request our index does not know is not validated: `unmatched` answers it (404, or 405 where the
 * path has other methods). A request with nothing to check (`nothingToValidate`) skips the request
 * check, and without response validation the validator altogether.
 */
export async function createValidation(app: Express, spec: OpenApiDocument, operations: OperationIndex, options: ValidationOptions): Promise<RequestHandler> {
  const steps = OpenApiValidator.middleware({
    apiSpec: spec as never,
    validateApiSpec: false,
    // Every issue at once (field_errors + issues); bounded by the 16 KiB body limit and the spec's maxLength/maxItems.
    validateRequests: { allowUnknownQueryParameters: true, coerceTypes: false, allErrors: true },
    validateResponses: options.validateResponses ? { onError: options.validateResponses.onError as never } : false,
    validateSecurity: false,
    fileUploader: false,
    validateFormats: true,
    ajvFormats: { mode: 'fast' },
  }) as unknown as Step[];
  const step = (name: string): Step | undefined => steps.find((s) => s.name === name);
  const metadata = step('metadataMiddleware');
  const requestCheck = step('requestMiddleware');
  const responseCheck = options.validateResponses ? step('responseMiddleware') : undefined;
  if (!metadata || !requestCheck || (options.validateResponses && !responseCheck)) {
    throw new Error(`express-openapi-validator's steps are not the ones expected (found: ${steps.map((s) => s.name).join(', ')})`);
  }

  const matches = new Map<OperationInfo, Omit<ValidatorMatch, 'pathParams'>>();
  for (const operation of operations.all) {
    const found = await validatorLookup(app, metadata, operation);
    if (found?.openApiRoute !== operation.template || (found.schema as { operationId?: string } | undefined)?.operationId !== operation.operationId) {
      throw new Error(
        `express-openapi-validator finds ${found ? `${found.openApiRoute} (${String((found.schema as { operationId?: string } | undefined)?.operationId)})` : 'nothing'} for ${operation.method} ${operation.template} (${operation.operationId})`,
      );
    }
    const { pathParams: _, ...match } = found;
    matches.set(operation, match);
  }

  const pathParams = pathParamsOf(operations);
  return (req, res, next) => {
    const operation = req.operation;
    if (!operation) return next();
    const check = !nothingToValidate(req);
    if (!check && !responseCheck) return next();
    const params = pathParams(operation, req.path);
    if (params instanceof ApiProblem) return next(params);
    (req as Fed).openapi = { ...matches.get(operation)!, pathParams: params };
    if (!responseCheck) return requestCheck(req, res, next);
    if (!check) return responseCheck(req, res, next);
    return requestCheck(req, res, (error?: unknown) => (error === undefined || error === null ? responseCheck(req, res, next) : next(error)));
  };
}

/** What the validator's metadata step finds for an operation's own template (the spec loaded first). */
function validatorLookup(app: Express, metadata: Step, operation: OperationInfo): Promise<ValidatorMatch | undefined> {
  const path = operation.template;
  const req = { method: operation.method, path, url: path, originalUrl: path, baseUrl: '', app, headers: {} } as unknown as Request;
  return new Promise((resolve, reject) => {
    void metadata(req, {} as never, (error?: unknown) => (error ? reject(error as Error) : resolve((req as Fed).openapi)));
  });
}

/**
 * A request whose method and path name no operation: 405 where the path has other methods (after a
 * path parameter that is not valid percent-encoding, 400), 404 otherwise.
 */
export function unmatched(operations: OperationIndex): RequestHandler {
  const pathParams = pathParamsOf(operations);
  return (req, _res, next) => {
    const other = operations.anyAt(req.path);
    if (!other) return next(problems.notFound('No such resource.'));
    const params = pathParams(other, req.path);
    next(params instanceof ApiProblem ? params : new ApiProblem(405, 'METHOD_NOT_ALLOWED', 'This method is not allowed on this resource.'));
  };
}
