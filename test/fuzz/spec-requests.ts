/**
 * Requests generated for one operation of the spec, in three intents:
 *
 * - `valid`: every parameter and body drawn from its schema (and from the spec's examples and the
 *   values earlier answers carried), with credentials of the needed scope;
 * - `invalid`: exactly one thing wrong (a parameter, a missing required part, a body that breaks its
 *   schema, is not JSON, is too large or is not JSON at all); an undeclared query parameter is not
 *   wrong: valid requests carry some, ignored as by GitHub and Prism;
 * - `auth`: a valid request to a protected operation with no, junk, revoked, expired, foreign or
 *   under-scoped credentials.
 *
 * A plan is plain data (names and texts), so fast-check prints and shrinks it; credentials that
 * need a live session are minted only when the plan is sent.
 */
import fc from 'fast-check';
import type { ArbitraryFactory, Mutation, SchemaTools } from './schema-arbitraries.ts';
import { headerSafe } from './schema-arbitraries.ts';
import type { Json, OperationModel, ParameterModel, SecurityAlternative } from './spec-model.ts';

export type Intent = 'valid' | 'invalid' | 'auth';

export type CredentialPlan =
  | { kind: 'valid'; scheme: string }
  | { kind: 'none' }
  /** A raw `Authorization` header value. */
  | { kind: 'junk-authorization'; value: string }
  /** A junk value where the scheme's API key goes (e.g. the session cookie). */
  | { kind: 'junk-key'; scheme: string; value: string }
  | { kind: 'revoked'; scheme: string }
  | { kind: 'lacking-scope'; scheme: string; scopes: string[] }
  /** A well-formed JWT that is expired, signed with another key, or names no live session. */
  | { kind: 'forged-jwt'; flavour: 'expired' | 'foreign-key' | 'unknown-session' | 'alg-none' | 'other-user' };

/** What a refused or rejected request must answer: a status and the problem's `code`. */
export interface Expectation {
  status: number;
  code: string;
}

export interface RequestPlan {
  operationId: string;
  intent: Intent;
  /** For `invalid` and `auth`: what is wrong with it. */
  why: string;
  /** [location, name, text]; an array is a form/simple array's items. */
  params: Array<[string, string, string | string[]]>;
  extraQuery: Array<[string, string]>;
  /** Headers outside the spec's parameters: harmless noise in valid requests, the point in invalid ones. */
  headers: Record<string, string>;
  body?: { text: string; contentType?: string };
  credential: CredentialPlan;
  expect?: Expectation[];
}

export interface RequestContext {
  tools: SchemaTools;
  factory: ArbitraryFactory;
  /** `ETag`s seen in earlier answers, for conditional request headers. */
  etags: string[];
  /** Every scope the spec knows. */
  scopes: string[];
  /**
   * `METHOD /path` (lower case) of every operation whose path has no parameter: concrete paths are
   * matched before templated ones, so a templated operation's request that lands on one is that
   * operation's (`PUT /me/providers/gitverse` is the GitVerse link, not the general one).
   */
  concretePaths?: ReadonlySet<string>;
}

/** Whether the plan's path is another operation's concrete path. */
function landsElsewhere(ctx: RequestContext, operation: OperationModel, params: RequestPlan['params']): boolean {
  if (!ctx.concretePaths || !operation.path.includes('{')) return false;
  let path = operation.path;
  for (const [where, name, value] of params) if (where === 'path') path = path.replace(`{${name}}`, String(value));
  return ctx.concretePaths.has(`${operation.method} ${path}`.toLowerCase());
}

const CONDITIONAL_HEADERS = new Set(['if-none-match', 'if-match']);
const MAX_BODY_BYTES = 16 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isSafeMethod = (method: string) => SAFE_METHODS.has(method.toUpperCase());

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const toText = (value: unknown): string | string[] => (Array.isArray(value) ? value.map((v) => String(v)) : String(value));

/** A parameter's valid values: its schema, its own examples, and seen `ETag`s for conditional headers. */
function validParameter(ctx: RequestContext, parameter: ParameterModel): fc.Arbitrary<string | string[]> {
  const choices: fc.Arbitrary<unknown>[] = [ctx.factory.valid(parameter.schema, parameter.in).filter((v) => ctx.tools.validText(parameter, toText(v)))];
  const examples = parameter.examples.filter((e) => ctx.tools.validText(parameter, toText(e)));
  if (examples.length) choices.push(fc.constantFrom(...examples));
  if (parameter.in === 'header' && CONDITIONAL_HEADERS.has(parameter.name.toLowerCase())) {
    const seen = fc.tuple(fc.nat(), fc.nat({ max: 3 })).map(([i, n]) => {
      const picked = Array.from({ length: n + 1 }, (_, k) => ctx.etags[(i + k) % Math.max(1, ctx.etags.length)]).filter((e): e is string => !!e);
      return picked.length ? picked.join(', ') : '*';
    });
    choices.push(seen.filter((v) => ctx.tools.validText(parameter, v)));
  }
  return fc.oneof(...choices).map(toText);
}

function validParameters(ctx: RequestContext, operation: OperationModel): fc.Arbitrary<RequestPlan['params']> {
  const entries = operation.parameters.map((p) => {
    const value = validParameter(ctx, p).map((v): [string, string, string | string[]] => [p.in, p.name, v]);
    return p.required ? value.map((v) => [v]) : fc.option(value, { nil: undefined, freq: 2 }).map((v) => (v ? [v] : []));
  });
  return fc.tuple(...entries).map((lists) => lists.flat());
}

function jsonMediaType(operation: OperationModel): string {
  return operation.body?.mediaTypes.find((m) => m === 'application/json' || m.endsWith('+json')) ?? 'application/json';
}

function validBody(ctx: RequestContext, operation: OperationModel): fc.Arbitrary<RequestPlan['body']> {
  const body = operation.body;
  if (!body) return fc.constant(undefined);
  const values: fc.Arbitrary<unknown>[] = [ctx.factory.valid(body.schema, 'body')];
  const examples = body.examples.filter((e) => ctx.tools.valid(body.schema, e));
  if (examples.length) values.push(fc.constantFrom(...examples));
  const type = jsonMediaType(operation);
  const present = fc
    .tuple(fc.oneof(...values), fc.constantFrom(type, `${type}; charset=utf-8`, type.toUpperCase()), fc.constantFrom('', ' ', '\n  '))
    .map(([value, contentType, space]) => ({ text: JSON.stringify(value, null, space), contentType }));
  return body.required ? present : fc.option(present, { nil: undefined });
}

/** Headers no operation declares, which must change nothing. Built once per run. */
let noise: fc.Arbitrary<Record<string, string>> | undefined;
function noiseHeaders(): fc.Arbitrary<Record<string, string>> {
  return (noise ??= buildNoiseHeaders());
}

function buildNoiseHeaders(): fc.Arbitrary<Record<string, string>> {
  const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
  return fc.record(
    {
      'x-request-id': fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), printable, fc.constant('x'.repeat(300))),
      accept: fc.constantFrom('*/*', 'application/json', 'text/html', 'application/xml', 'application/problem+json', 'nonsense'),
      'accept-language': fc.constantFrom('ru-RU,ru;q=0.9', 'en', '*', '!!'),
      // An origin is a scheme, a host and maybe a port (fc.webUrl() would add a path and cost half a second to build).
      origin: fc.oneof(
        fc.tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
          .map(([scheme, host, port]) => `${scheme}://${host}${port === undefined ? '' : `:${port}`}`),
        fc.constant('null'),
      ),
      'x-forwarded-for': fc.constantFrom('10.0.0.1', '::1, 1.2.3.4', 'junk'),
      'x-junk': printable,
    },
    { requiredKeys: [] },
  ).map((headers) => Object.fromEntries(Object.entries(headers).filter(([, v]) => headerSafe(v))));
}

function validCredential(operation: OperationModel): fc.Arbitrary<CredentialPlan> {
  if (!operation.protected) return fc.constant({ kind: 'none' });
  return fc.constantFrom(...operation.security.map((s): CredentialPlan => ({ kind: 'valid', scheme: s.scheme })));
}

/**
 * Query parameters the operation does not declare (a cache-buster `_=…`, tracking tags): ignored, as by
 * GitHub and Prism, so a request with them is as valid as without. Names that the query parser would fold
 * into a declared one (`page[]`) are left out: those are a declared parameter with a wrong value.
 */
function undeclaredQuery(operation: OperationModel): fc.Arbitrary<Array<[string, string]>> {
  const declared = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  const name = fc
    .oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/), fc.constantFrom('_', 'callback', 'debug', 'utm_source', 'limit', 'offset', ...[...declared].map((n) => n.toUpperCase())))
    .filter((n) => !declared.has(n));
  return fc.array(fc.tuple(name, fc.stringMatching(/^[A-Za-z0-9]{0,12}$/)), { maxLength: 2 });
}

export function validRequests(ctx: RequestContext, operation: OperationModel): fc.Arbitrary<RequestPlan> {
  return fc
    .record({ params: validParameters(ctx, operation), body: validBody(ctx, operation), headers: noiseHeaders(), credential: validCredential(operation), extraQuery: undeclaredQuery(operation) })
    .filter(({ params }) => !landsElsewhere(ctx, operation, params))
    .map(({ params, body, headers, credential, extraQuery }) => ({
      operationId: operation.operationId,
      intent: 'valid' as const,
      why: extraQuery.length ? `with undeclared query ${extraQuery.map(([n]) => n).join(', ')}` : '',
      params,
      extraQuery,
      headers,
      ...(body ? { body } : {}),
      credential,
    }));
}

const VALIDATION: Expectation[] = [{ status: 400, code: 'VALIDATION_FAILED' }];

/** Texts that are not the JSON the body needs, raw. */
function junkBodyTexts(ctx: RequestContext, operation: OperationModel): fc.Arbitrary<Mutation<string>> {
  const schema = operation.body?.schema ?? {};
  const valid = ctx.factory.valid(schema, 'body').map((v) => JSON.stringify(v));
  const curated = [
    '', ' ', 'null', '[]', '{', '}', '{"a":', '{\'a\': 1}', 'undefined', 'NaN', '{"a":1}{"b":2}', '\u0000', '\ufeff{}', '[[[[[[',
    '{"__proto__": {"polluted": true}}', '"\\ud800"', '{"a": 01}', 'true', '-', '{"a":1,}',
  ];
  const HUGE = '"@@number@@"';
  return fc.oneof(
    fc.constantFrom(...curated).map((text) => ({ value: text, why: `junk body ${JSON.stringify(text.slice(0, 20))}` })),
    fc.string({ unit: 'grapheme', maxLength: 64 }).map((text) => ({ value: text, why: 'random text body' })),
    // Valid JSON cut short, or with trailing garbage.
    fc.tuple(valid, fc.nat()).filter(([t]) => t.length > 1).map(([t, n]) => ({ value: t.slice(0, 1 + (n % (t.length - 1))), why: 'truncated JSON' })),
    valid.map((t) => ({ value: `${t} x`, why: 'trailing garbage' })),
    // Numbers JSON can write but JavaScript cannot hold (1e400 parses to Infinity), where the schema has numbers.
    fc.tuple(ctx.factory.valid(schema, 'body'), fc.constantFrom('1e400', '-1e400', '1E+999')).map(([v, literal]) => ({
      value: JSON.stringify(v, (key, x: unknown) => (key !== '' && typeof x === 'number' ? JSON.parse(HUGE) : x)).replaceAll(HUGE, literal),
      why: `numbers written as ${literal}`,
    })),
    // Duplicate keys: the last one wins in JSON.parse, so a bad last value must still be caught.
    fc.tuple(valid, ctx.factory.invalidJson(schema)).filter(([t, m]) => t.startsWith('{') && t.length > 2 && isObject(m.value)).map(([t, m]) => ({
      value: `${t.slice(0, -1)},${JSON.stringify(m.value).slice(1)}`,
      why: `duplicate keys, the last ones invalid: ${m.why}`,
    })),
  ).filter((m) => {
    try {
      return !ctx.tools.valid(schema, JSON.parse(m.value));
    } catch {
      return true;
    }
  });
}

interface InvalidPart {
  /** `location:name` of a required parameter left out. */
  omit?: string;
  params?: RequestPlan['params'];
  extraQuery?: RequestPlan['extraQuery'];
  headers?: Record<string, string>;
  body?: RequestPlan['body'] | null;
  why: string;
  expect: Expectation[];
}

/**
 * Replaces, drops or adds one part of an otherwise valid request. Schema-driven mutations weigh more
 * than the single-shaped ones (no body, too large), which need few samples to be covered.
 */
function invalidParts(ctx: RequestContext, operation: OperationModel): fc.WeightedArbitrary<InvalidPart>[] {
  const parts: fc.WeightedArbitrary<InvalidPart>[] = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<InvalidPart>) => parts.push({ weight, arbitrary });
  for (const parameter of operation.parameters) {
    if (parameter.in === 'cookie') continue;
    const bad = ctx.factory.invalidText(parameter);
    if (bad) add(4, bad.map((m) => ({ params: [[parameter.in, parameter.name, m.value]], why: `${parameter.in} ${parameter.name}: ${m.why}`, expect: VALIDATION })));
    if (parameter.required && parameter.in !== 'path') {
      add(1, fc.constant({ omit: `${parameter.in}:${parameter.name}`, why: `missing required ${parameter.in} ${parameter.name}`, expect: VALIDATION }));
    }
    if (parameter.in === 'query' && !typesInclude(ctx, parameter.schema, 'array')) {
      // The same scalar twice is an array, which the schema does not allow.
      add(
        1,
        fc.tuple(validParameter(ctx, parameter), validParameter(ctx, parameter)).map(([a, b]) => ({
          params: [[parameter.in, parameter.name, a]],
          extraQuery: [[parameter.name, String(b)]],
          why: `query ${parameter.name} given twice`,
          expect: VALIDATION,
        })),
      );
    }
  }
  const body = operation.body;
  if (body) {
    const type = jsonMediaType(operation);
    add(8, ctx.factory.invalidJson(body.schema).map((m) => ({ body: { text: JSON.stringify(m.value), contentType: type }, why: `body: ${m.why}`, expect: VALIDATION })));
    add(3, junkBodyTexts(ctx, operation).map((m) => ({ body: { text: m.value, contentType: type }, why: m.why, expect: VALIDATION })));
    // Without a body there is no content type either: "required" (400) and "not JSON" (415) both fit.
    if (body.required) add(1, fc.constant({ body: null, why: 'no body', expect: [...VALIDATION, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }] }));
    add(
      1,
      fc.tuple(ctx.factory.valid(body.schema, 'body'), fc.integer({ min: 1, max: 64 * 1024 })).map(([value, extra]) => {
        const json = JSON.stringify(value);
        // Whitespace keeps it valid JSON: only the size is wrong.
        const text = json.startsWith('{') ? `{${' '.repeat(MAX_BODY_BYTES + extra)}${json.slice(1)}` : `${' '.repeat(MAX_BODY_BYTES + extra)}${json}`;
        return { body: { text, contentType: type }, why: `body of ${text.length} bytes`, expect: [{ status: 413, code: 'PAYLOAD_TOO_LARGE' }] };
      }),
    );
    // A JSON body that claims an encoding it does not have, or one nobody supports.
    add(
      1,
      fc.tuple(ctx.factory.valid(body.schema, 'body'), fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'x-unknown')).map(([value, encoding]) => ({
        body: { text: JSON.stringify(value), contentType: type },
        headers: { 'content-encoding': encoding },
        why: `content encoding ${encoding}`,
        expect: [...VALIDATION, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }],
      })),
    );
    const otherTypes = ['application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'text/json', 'application/json-seq'];
    add(
      2,
      fc.tuple(ctx.factory.valid(body.schema, 'body'), fc.constantFrom(...otherTypes.filter((t) => !body.mediaTypes.includes(t)))).map(([value, contentType]) => ({
        body: { text: JSON.stringify(value), contentType },
        why: `content type ${contentType}`,
        expect: [{ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }],
      })),
    );
  }
  return parts;
}

function typesInclude(ctx: RequestContext, schema: Json, type: string): boolean {
  const resolved = typeof schema.$ref === 'string' ? ctx.tools.deref(schema) : schema;
  return resolved.type === type || (Array.isArray(resolved.type) && resolved.type.includes(type));
}

/** Whether anything of the operation's request can be wrong: a checked parameter or a body. */
export function canBeInvalid(ctx: RequestContext, operation: OperationModel): boolean {
  return invalidParts(ctx, operation).length > 0;
}

export function invalidRequests(ctx: RequestContext, operation: OperationModel): fc.Arbitrary<RequestPlan> {
  return fc
    .record({ valid: validRequests(ctx, operation), part: fc.oneof(...invalidParts(ctx, operation)), credential: validCredential(operation) })
    .map(({ valid, part, credential }) => {
      const replaced = new Set((part.params ?? []).map(([where, name]) => `${where}:${name}`));
      if (part.omit) replaced.add(part.omit);
      const params = [...valid.params.filter(([where, name]) => !replaced.has(`${where}:${name}`)), ...(part.params ?? [])];
      // Path parameters are always there: the invalid plan keeps the valid one unless it replaced it.
      for (const p of operation.parameters) {
        if (p.in === 'path' && !params.some(([where, name]) => where === 'path' && name === p.name)) throw new Error(`path parameter ${p.name} lost`);
      }
      const body = part.body === null ? undefined : (part.body ?? valid.body);
      return {
        operationId: operation.operationId,
        intent: 'invalid' as const,
        why: part.why,
        params,
        extraQuery: part.extraQuery ?? [],
        headers: { ...valid.headers, ...part.headers },
        ...(body ? { body } : {}),
        credential,
        expect: part.expect,
      };
    });
}

/** Authorization header values that name no credential of ours. */
function junkAuthorization(): fc.Arbitrary<string> {
  const segment = fc.stringMatching(/^[A-Za-z0-9_-]{2,40}$/);
  return fc.oneof(
    fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer null', 'Bearer undefined', 'Basic dXNlcjpwYXNz', 'Token abc', 'bearer a.b.c', 'Bearer a.b', 'Bearer ....', `Bearer ${'a'.repeat(5000)}`),
    fc.tuple(segment, segment, segment).map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => `Bearer ${s}`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  );
}

function authCredentials(operation: OperationModel, scopes: string[]): fc.Arbitrary<{ credential: CredentialPlan; why: string; expect: Expectation[] }> {
  const unauthorized = [{ status: 401, code: 'UNAUTHORIZED' }];
  const choices: fc.Arbitrary<{ credential: CredentialPlan; why: string; expect: Expectation[] }>[] = [
    fc.constant({ credential: { kind: 'none' } as const, why: 'no credentials', expect: unauthorized }),
    junkAuthorization().map((value) => ({ credential: { kind: 'junk-authorization' as const, value }, why: `Authorization: ${value.slice(0, 40)}`, expect: unauthorized })),
    fc
      .constantFrom('expired', 'foreign-key', 'unknown-session', 'alg-none', 'other-user')
      .map((flavour) => ({ credential: { kind: 'forged-jwt' as const, flavour }, why: `a ${flavour} JWT`, expect: unauthorized })),
  ];
  for (const alternative of operation.security) {
    choices.push(fc.constant({ credential: { kind: 'revoked', scheme: alternative.scheme } as const, why: `a revoked session via ${alternative.scheme}`, expect: unauthorized }));
    if (alternative.carrier.kind === 'apiKey') {
      const value = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{0,64}$/), fc.string({ unit: 'grapheme-ascii', maxLength: 64 }), fc.constant('x'.repeat(300)));
      choices.push(
        value.filter((v) => !/[;,\s]/.test(v)).map((v) => ({ credential: { kind: 'junk-key' as const, scheme: alternative.scheme, value: v }, why: `junk ${alternative.scheme}`, expect: unauthorized })),
      );
    }
    const lacking = scopes.filter((s) => !alternative.scopes.includes(s));
    if (alternative.scopes.length > 0) {
      choices.push(
        fc.constant({
          credential: { kind: 'lacking-scope', scheme: alternative.scheme, scopes: lacking },
          why: `${alternative.scheme} with only [${lacking.join(' ')}], needs [${alternative.scopes.join(' ')}]`,
          expect: [{ status: 403, code: 'FORBIDDEN' }],
        }),
      );
    }
  }
  return fc.oneof(...choices);
}

export function authRequests(ctx: RequestContext, operation: OperationModel): fc.Arbitrary<RequestPlan> {
  return fc.tuple(validRequests(ctx, operation), authCredentials(operation, ctx.scopes)).map(([valid, auth]) => ({
    ...valid,
    intent: 'auth' as const,
    why: auth.why,
    credential: auth.credential,
    expect: auth.expect,
  }));
}

export function alternativeOf(operation: OperationModel, scheme: string): SecurityAlternative {
  const found = operation.security.find((s) => s.scheme === scheme);
  if (!found) throw new Error(`${operation.operationId} has no security scheme ${scheme}`);
  return found;
}

/** The URL and init of a plan, credentials still to be added. */
export function toHttp(baseUrl: string, operation: OperationModel, plan: RequestPlan): { url: string; init: RequestInit & { headers: Record<string, string> } } {
  const model = new Map(operation.parameters.map((p) => [`${p.in}:${p.name}`, p]));
  let path = operation.path;
  const query: string[] = [];
  const headers: Record<string, string> = { ...plan.headers };
  const cookies: string[] = [];
  for (const [where, name, value] of plan.params) {
    const parameter = model.get(`${where}:${name}`);
    const items = Array.isArray(value) ? value : [value];
    if (where === 'path') {
      path = path.replace(`{${name}}`, items.map(encodeURIComponent).join(','));
    } else if (where === 'query') {
      if (Array.isArray(value) && parameter?.explode) for (const item of items) query.push(`${encodeURIComponent(name)}=${encodeURIComponent(item)}`);
      else query.push(`${encodeURIComponent(name)}=${items.map(encodeURIComponent).join(',')}`);
    } else if (where === 'header') {
      headers[name.toLowerCase()] = items.join(',');
    } else if (where === 'cookie') {
      cookies.push(`${name}=${encodeURIComponent(items.join(','))}`);
    }
  }
  for (const [name, value] of plan.extraQuery) query.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  if (cookies.length) headers.cookie = cookies.join('; ');
  const init: RequestInit & { headers: Record<string, string> } = { method: operation.method, headers, redirect: 'manual' };
  if (plan.body) {
    // Bytes, not a string: fetch would label a string text/plain when the plan sends no content type.
    init.body = new TextEncoder().encode(plan.body.text);
    if (plan.body.contentType) headers['content-type'] = plan.body.contentType;
  }
  return { url: `${baseUrl}${path}${query.length ? `?${query.join('&')}` : ''}`, init };
}
