import type { Request, RequestHandler } from 'express';
import type { OpenApiDocument } from './openapi.ts';
import { problems, type ValidationIssue } from '../contract/problem.ts';

export interface SecurityRequirement {
  scheme: string;
  scopes: string[];
}

export interface OperationInfo {
  operationId: string;
  method: string;
  /** The spec's path template, e.g. `/api/v1/connections/{provider}/{repo_id}`. */
  template: string;
  /** Alternatives: any one of them grants access. Empty means anonymous access. */
  security: SecurityRequirement[];
  /** Path and query parameters whose schema is an integer. */
  integers: Array<{ in: 'path' | 'query'; name: string }>;
  /** Declares no parameter and no request body: a request to it has nothing the validator could check. */
  takesNothing: boolean;
  /**
   * Declares only optional query and header parameters and no request body: a request without a
   * query string, a body or any of those headers has nothing the validator could check either.
   */
  optionalOnly?: { headers: string[] };
}

type Parameter = { in?: string; name?: string; schema?: { type?: unknown; $ref?: string } };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * A HEAD request is its GET without the body (RFC 9110): it is served as that GET, and Node leaves the
 * body out because the request said HEAD. Load balancers check health this way.
 */
export const headAsGet: RequestHandler = (req, _res, next) => {
  if (req.method === 'HEAD' && req.operation?.method === 'GET') req.method = 'GET';
  next();
};

/**
 * The app's one route table: finds the spec operation behind a request, so auth, metrics, logs, the
 * request validator and the dispatch to its handler all use that one match (`validation.ts` feeds it to
 * the validator). Paths match as Express's default routing does: in any letter case, with or without a
 * trailing slash.
 */
export function indexOperations(spec: OpenApiDocument) {
  const globalSecurity = (spec as { security?: Array<Record<string, string[]>> }).security ?? [];
  const entries: Array<OperationInfo & { regex: RegExp }> = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    const regex = new RegExp(
      '^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, '(?<$1>[^/]+)') + '/?$',
      'i',
    );
    for (const method of METHODS) {
      const op = item[method] as
        | { operationId?: string; security?: Array<Record<string, string[]>>; parameters?: Parameter[]; requestBody?: unknown }
        | undefined;
      if (!op?.operationId) continue;
      const parameters = [...((item.parameters as Parameter[] | undefined) ?? []), ...(op.parameters ?? [])];
      const takesNothing = parameters.length === 0 && op.requestBody === undefined;
      const resolved = parameters.map((p) => ((p as { $ref?: string }).$ref ? resolveRef(spec, (p as { $ref: string }).$ref) : p) as Parameter & { required?: boolean });
      const optionalOnly =
        op.requestBody === undefined && resolved.every((p) => (p.in === 'query' || p.in === 'header') && p.required !== true)
          ? { headers: resolved.filter((p) => p.in === 'header').map((p) => String(p.name).toLowerCase()) }
          : undefined;
      const integers = resolved
        .filter((p) => (p.in === 'path' || p.in === 'query') && typeOf(spec, p.schema) === 'integer')
        .map((p) => ({ in: p.in as 'path' | 'query', name: String(p.name) }));
      const requirements = (op.security ?? globalSecurity).flatMap((req) =>
        Object.entries(req).map(([scheme, scopes]) => ({ scheme, scopes })),
      );
      entries.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        template,
        security: requirements,
        integers,
        takesNothing,
        ...(optionalOnly ? { optionalOnly } : {}),
        regex,
      });
    }
  }
  // A concrete path matches before a templated one that would also match it (`/auth/github/login`
  // before `/auth/{provider}/login`), as OpenAPI asks, whatever the order of the spec's paths.
  const shape = (template: string) => template.split('/').map((segment) => (segment.includes('{') ? 1 : 0));
  entries.sort((a, b) => {
    const x = shape(a.template);
    const y = shape(b.template);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
  // Looked up by method first: a request is tested against its method's few templates only.
  const byMethod = new Map<string, typeof entries>();
  for (const e of entries) byMethod.set(e.method, [...(byMethod.get(e.method) ?? []), e]);
  const regexOf = new Map(entries.map((e) => [e as OperationInfo, e.regex]));
  return {
    all: entries as OperationInfo[],
    find(method: string, path: string): OperationInfo | undefined {
      const candidates = byMethod.get(method === 'HEAD' ? 'GET' : method);
      if (!candidates) return undefined;
      for (const e of candidates) if (e.regex.test(path)) return e;
      return undefined;
    },
    /** An operation at this path under any method, if the path is one of the spec's. */
    anyAt(path: string): OperationInfo | undefined {
      return entries.find((e) => e.regex.test(path));
    },
    /** The methods a path answers (HEAD wherever GET is), for the `Allow` header of a 405. */
    allowedMethods(path: string): string[] {
      const methods = new Set(entries.filter((e) => e.regex.test(path)).map((e) => e.method));
      if (methods.has('GET')) methods.add('HEAD');
      return [...methods];
    },
    /** Path parameters of a request to a known operation, as sent (percent-encoded). */
    pathParams(operation: OperationInfo, path: string): Record<string, string> {
      return { ...regexOf.get(operation)?.exec(path)?.groups };
    },
  };
}

export type OperationIndex = ReturnType<typeof indexOperations>;

function resolveRef(spec: OpenApiDocument, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
}

function typeOf(spec: OpenApiDocument, schema: { type?: unknown; $ref?: string } | undefined): unknown {
  if (!schema) return undefined;
  return schema.$ref ? typeOf(spec, resolveRef(spec, schema.$ref) as { type?: unknown }) : schema.type;
}

/**
 * Whether a request carries nothing the request validator could check: its operation takes nothing,
 * or only optional query and header parameters and the request has no query string, no body and
 * none of those headers. (The validator would fill in the parameters' defaults; the handlers apply
 * the same defaults to what is absent.)
 */
export function nothingToValidate(req: Request): boolean {
  const operation = req.operation;
  if (!operation) return false;
  if (operation.takesNothing) return true;
  const optional = operation.optionalOnly;
  if (!optional || req.url.includes('?')) return false;
  const headers = req.headers;
  if (headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')) return false;
  for (const name of optional.headers) if (headers[name] !== undefined) return false;
  return true;
}

const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]{0,15})$/;

/**
 * Integer parameters must be written as plain decimal integers. The validator coerces text to numbers
 * first, so `Infinity`, `1e400`, `0x10`, ` 5` or `1.0` would otherwise pass as numbers.
 */
export function strictIntegers(operations: OperationIndex): RequestHandler {
  return (req, _res, next) => {
    const operation = req.operation;
    if (!operation || operation.integers.length === 0) return next();
    const path = operation.integers.some((p) => p.in === 'path') ? operations.pathParams(operation, req.path) : {};
    const at = req.originalUrl.indexOf('?');
    // Read once, and only when there is a query to read.
    let query: URLSearchParams | undefined;
    const issues: ValidationIssue[] = [];
    for (const p of operation.integers) {
      if (p.in === 'query' && at === -1) continue;
      const raw = p.in === 'path' ? path[p.name] : (query ??= new URLSearchParams(req.originalUrl.slice(at + 1))).getAll(p.name);
      for (const value of [raw].flat()) {
        if (value !== undefined && !DECIMAL_INTEGER.test(safeDecode(value))) {
          issues.push({ path: `${p.in}.${p.name}`, message: 'must be a decimal integer' });
        }
      }
    }
    next(issues.length ? problems.validation(issues) : undefined);
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
