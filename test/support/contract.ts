/**
 * An independent check of real responses against the bundled spec, for the contract tests: it shares
 * nothing with the app's own validator (express-openapi-validator), so a bug there cannot hide a drift.
 *
 *   const contract = await loadContract();
 *   const { operationId, errors } = contract.check({ method: 'GET', path: '/api/v1/repos?page=2', status: 200, headers, body });
 *   assert.deepEqual(errors, []);
 *
 * Every check without errors records its (operationId, status) for the spec-coverage gate of the test
 * script; `record` adds one by hand.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const SPEC_FILE = fileURLToPath(new URL('../../openapi/dist/openapi.yaml', import.meta.url));
/** Read by the coverage gate of the test script: one JSON line per exercised (operationId, status). */
export const EXERCISED_DIR = fileURLToPath(new URL('../../.test-out/exercised', import.meta.url));

type Json = Record<string, unknown>;

export type HeaderValue = string | string[] | number | undefined;

export interface ObservedResponse {
  method: string;
  /** The concrete request path, with or without a query string, or a full URL. */
  path: string;
  status: number;
  /** Response headers, lower-case keys (a fetch `Headers` works too). */
  headers: Record<string, HeaderValue> | Headers;
  /** Parsed JSON, text, or undefined when there was no body. */
  body: unknown;
}

export interface CheckResult {
  operationId: string | undefined;
  errors: string[];
}

export interface OperationStatus {
  operationId: string;
  status: string;
}

export interface Contract {
  check(response: ObservedResponse): CheckResult;
  /** Marks a declared (operationId, status) as exercised; throws for one the spec does not declare. */
  record(operationId: string, status: string | number): void;
  /** Every (operationId, status) the spec declares, in spec order. */
  pairs(): OperationStatus[];
}

export interface ContractOptions {
  /** An already parsed document instead of the bundled spec. */
  document?: Json;
  /** Where exercised pairs are written; false records nothing (for tests of this module). */
  exercisedDir?: string | false;
}

export interface SpecOperation {
  operationId: string;
  method: string;
  /** The path template, e.g. `/api/v1/connections/{provider}/{repo_id}`. */
  path: string;
  operation: Json;
  /** Responses by status key (`200`, `4XX`, `default`), `$ref`s followed, with their JSON pointers. */
  responses: Map<string, { response: Json; pointer: string }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const DOCUMENT_ID = 'urn:repositories-api:openapi';
const WRITE_ONLY = 'x-contract-write-only';

export function loadSpecDocument(file = SPEC_FILE): Json {
  return parse(readFileSync(file, 'utf8')) as Json;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const pointerSegment = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** Follows local `$ref`s to the object they name, and returns it with its own JSON pointer. */
export function resolve(document: Json, node: unknown, pointer: string): { value: Json; pointer: string } {
  let value = node;
  let at = pointer;
  for (let hops = 0; isObject(value) && typeof value.$ref === 'string'; hops++) {
    if (hops > 20 || !value.$ref.startsWith('#/')) throw new Error(`cannot follow $ref ${value.$ref} at ${at}`);
    at = value.$ref.slice(1);
    value = at
      .slice(1)
      .split('/')
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((parent, key) => (isObject(parent) || Array.isArray(parent) ? (parent as Json)[key] : undefined), document);
  }
  if (!isObject(value)) throw new Error(`nothing at ${at}`);
  return { value, pointer: at };
}

/** Every operation of the document, in spec order. */
export function specOperations(document: Json): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries((document.paths ?? {}) as Json)) {
    const pathItem = resolve(document, item, `/paths/${pointerSegment(path)}`);
    for (const method of METHODS) {
      const operation = pathItem.value[method];
      if (!isObject(operation)) continue;
      const at = `${pathItem.pointer}/${method}`;
      if (typeof operation.operationId !== 'string') throw new Error(`the operation at ${at} has no operationId`);
      const responses = new Map<string, { response: Json; pointer: string }>();
      for (const [status, response] of Object.entries((operation.responses ?? {}) as Json)) {
        const resolved = resolve(document, response, `${at}/responses/${pointerSegment(status)}`);
        responses.set(status, { response: resolved.value, pointer: resolved.pointer });
      }
      operations.push({ operationId: operation.operationId, method, path, operation, responses });
    }
  }
  return operations;
}

/** The subschemas of a JSON Schema 2020-12 schema, for the walk below. */
function subschemas(schema: Json): unknown[] {
  const found: unknown[] = [];
  for (const key of ['additionalProperties', 'items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties']) {
    found.push(schema[key]);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) if (Array.isArray(schema[key])) found.push(...schema[key]);
  for (const key of ['properties', 'patternProperties', 'dependentSchemas', '$defs']) {
    if (isObject(schema[key])) found.push(...Object.values(schema[key]));
  }
  return found;
}

/**
 * The response view of the document's schemas. A `writeOnly` property (a secret the client sends, such
 * as a token) must never come back, so it is neither required nor allowed in a response. `readOnly`
 * properties are what responses carry, so they stay as declared.
 */
function forbidWriteOnly(document: Json): void {
  const seen = new WeakSet<Json>();
  const isWriteOnly = (schema: unknown, name: string): boolean => {
    if (!isObject(schema)) return false;
    return schema.writeOnly === true || (typeof schema.$ref === 'string' && resolve(document, schema, `property ${name}`).value.writeOnly === true);
  };
  const walk = (schema: unknown): void => {
    if (!isObject(schema) || seen.has(schema)) return;
    seen.add(schema);
    subschemas(schema).forEach(walk);
    if (!isObject(schema.properties)) return;
    const properties = schema.properties;
    for (const [name, property] of Object.entries(properties)) {
      if (!isWriteOnly(property, name)) continue;
      properties[name] = { [WRITE_ONLY]: true };
      if (Array.isArray(schema.required)) schema.required = schema.required.filter((r) => r !== name);
    }
  };
  const components = (document.components ?? {}) as Json;
  for (const group of ['schemas', 'responses', 'headers'] as const) {
    for (const entry of Object.values((components[group] ?? {}) as Json)) {
      if (group === 'schemas') walk(entry);
      else walkResponseOrHeader(entry, walk);
    }
  }
  for (const item of Object.values((document.paths ?? {}) as Json)) {
    for (const method of METHODS) {
      const operation = isObject(item) ? item[method] : undefined;
      if (!isObject(operation)) continue;
      for (const response of Object.values((operation.responses ?? {}) as Json)) walkResponseOrHeader(response, walk);
    }
  }
}

function walkResponseOrHeader(node: unknown, walk: (schema: unknown) => void): void {
  if (!isObject(node)) return;
  walk(node.schema);
  for (const media of Object.values((node.content ?? {}) as Json)) if (isObject(media)) walk(media.schema);
  for (const header of Object.values((node.headers ?? {}) as Json)) if (isObject(header)) walk(header.schema);
}

/** The `x-` keys used anywhere in the document, so ajv can stay strict about every other unknown keyword. */
function extensionKeys(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => extensionKeys(n, found));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-') && key !== WRITE_ONLY) found.add(key);
      extensionKeys(value, found);
    }
  }
  return found;
}

function createAjv(document: Json): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
  addFormats.default(ajv);
  // OpenAPI's own schema keywords and the document's top-level fields are annotations to ajv.
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', ...extensionKeys(document)]);
  ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags']);
  ajv.addKeyword({
    keyword: WRITE_ONLY,
    schemaType: 'boolean',
    error: { message: 'must not be in a response (the property is writeOnly)' },
    code: (cxt) => cxt.fail(),
  });
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  return ajv;
}

function describeError(prefix: string, error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  let message = `${prefix}${error.instancePath} ${error.message ?? 'is invalid'}`;
  if (error.keyword === 'additionalProperties') message += ` ('${String(params.additionalProperty)}')`;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) message += `: ${params.allowedValues.join(', ')}`;
  return message;
}

const mediaTypeOf = (contentType: string) => (contentType.split(';')[0] ?? '').trim().toLowerCase();
const isJsonMediaType = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

function matchMediaType(declared: string[], mediaType: string): string | undefined {
  const [type] = mediaType.split('/');
  const byKey = new Map(declared.map((d) => [mediaTypeOf(d), d]));
  return byKey.get(mediaType) ?? byKey.get(`${type}/*`) ?? byKey.get('*/*');
}

/** A header's text as its schema's type: integers and numbers parsed, so `"42"` is checked as 42. */
function headerValue(raw: string, schema: Json): unknown {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const text = raw.trim();
  if (types.includes('integer') && /^-?\d+$/.test(text)) return Number(text);
  if (types.includes('number') && text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.includes('array')) return text.split(',').map((s) => s.trim());
  return raw;
}

function normaliseHeaders(headers: ObservedResponse['headers']): Map<string, string[]> {
  const result = new Map<string, string[]>();
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      if (name !== 'set-cookie') result.set(name, [value]);
    });
    const cookies = headers.getSetCookie();
    if (cookies.length) result.set('set-cookie', cookies);
    return result;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result.set(name.toLowerCase(), Array.isArray(value) ? value : [String(value)]);
  }
  return result;
}

/** Path templates as regular expressions, concrete paths first, as OpenAPI requires when both match. */
function pathMatchers(operations: SpecOperation[]): { template: string; pattern: RegExp; params: number }[] {
  const templates = [...new Set(operations.map((o) => o.path))];
  return templates
    .map((template) => {
      const parts = template.split(/(\{[^}]+\})/);
      const source = parts.map((p) => (p.startsWith('{') ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
      return { template, pattern: new RegExp(`^${source}$`), params: parts.filter((p) => p.startsWith('{')).length };
    })
    .sort((a, b) => a.params - b.params);
}

export async function loadContract(options: ContractOptions = {}): Promise<Contract> {
  const source = options.document ?? loadSpecDocument();
  const document = structuredClone(source);
  forbidWriteOnly(document);
  const ajv = createAjv(document);
  const operations = specOperations(document);
  const matchers = pathMatchers(operations);
  const validators = new Map<string, ValidateFunction>();
  const exercisedDir = options.exercisedDir ?? EXERCISED_DIR;
  const declared = new Set(operations.flatMap((o) => [...o.responses.keys()].map((status) => `${o.operationId} ${status}`)));

  const validatorAt = (pointer: string): ValidateFunction => {
    let validate = validators.get(pointer);
    if (!validate) {
      const fragment = pointer.split('/').map(encodeURIComponent).join('/');
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${fragment}` });
      validators.set(pointer, validate);
    }
    return validate;
  };

  // Each pair is written once per process: the gate needs to know that it was exercised, not how often.
  const written = new Set<string>();
  const record = (operationId: string, status: string | number) => {
    const pair = `${operationId} ${status}`;
    if (!declared.has(pair)) throw new Error(`the spec declares no response ${status} for ${operationId}`);
    if (exercisedDir === false || written.has(pair)) return;
    mkdirSync(exercisedDir, { recursive: true });
    appendFileSync(join(exercisedDir, `${process.pid}.jsonl`), `${JSON.stringify({ operationId, status: String(status) })}\n`);
    written.add(pair);
  };

  const check = (observed: ObservedResponse): CheckResult => {
    // The spec says every GET also answers HEAD: the same status and headers, no body.
    const head = observed.method.toLowerCase() === 'head';
    if (head && observed.body !== undefined && observed.body !== '') return { operationId: undefined, errors: ['a HEAD answer has a body'] };
    const method = head ? 'get' : observed.method.toLowerCase();
    const path = new URL(observed.path, 'http://contract.invalid').pathname;
    const template = matchers.find((m) => m.pattern.test(path))?.template;
    if (!template) return { operationId: undefined, errors: [`no path of the spec matches ${path}`] };
    const operation = operations.find((o) => o.path === template && o.method === method);
    if (!operation) {
      const methods = operations.filter((o) => o.path === template).map((o) => o.method.toUpperCase());
      return { operationId: undefined, errors: [`no operation ${method.toUpperCase()} ${template} (declared: ${methods.join(', ')})`] };
    }
    // A concrete path that is also an instance of a templated one (an alias kept for older clients)
    // is answered by one handler for both: the answer must hold to both, and exercises both.
    const general = operations.filter(
      (o) => o !== operation && o.method === method && o.path !== template && matchers.find((m) => m.template === o.path)?.pattern.test(path),
    );
    const results = [operation, ...general].map((op) => against(op, observed, head));
    return { operationId: operation.operationId, errors: results.flatMap((r) => r.errors) };
  };

  const against = (operation: SpecOperation, observed: ObservedResponse, head: boolean): { errors: string[] } => {
    const { operationId } = operation;
    const errors: string[] = [];
    const status = String(observed.status);
    const statusKey = [status, `${status[0]}XX`, 'default'].find((k) => operation.responses.has(k));
    const declaredResponse = statusKey === undefined ? undefined : operation.responses.get(statusKey);
    if (statusKey === undefined || !declaredResponse) {
      const keys = [...operation.responses.keys()].join(', ');
      return { errors: [`undeclared status ${status} for ${operationId} (declared: ${keys})`] };
    }
    const { response, pointer } = declaredResponse;
    const where = `${operationId} ${statusKey}`;
    const headers = normaliseHeaders(observed.headers);

    const content = isObject(response.content) ? response.content : {};
    const declaredTypes = Object.keys(content);
    const contentType = headers.get('content-type')?.[0];
    const hasBody = observed.body !== undefined && observed.body !== '';
    if (declaredTypes.length === 0) {
      if (hasBody) errors.push(`undeclared content type ${contentType ? mediaTypeOf(contentType) : '(none)'} for ${where}: it declares no body`);
    } else if (!contentType) {
      errors.push(`missing content type for ${where} (declared: ${declaredTypes.join(', ')})`);
    } else {
      const mediaType = mediaTypeOf(contentType);
      const declaredType = matchMediaType(declaredTypes, mediaType);
      if (!declaredType) {
        errors.push(`undeclared content type ${mediaType} for ${where} (declared: ${declaredTypes.join(', ')})`);
      } else if (!hasBody) {
        if (!head) errors.push(`missing body for ${where} (${declaredType})`);
      } else if (isObject(content[declaredType]) && (content[declaredType] as Json).schema !== undefined) {
        let body = observed.body;
        let parsed = true;
        if (isJsonMediaType(mediaType) && typeof body === 'string') {
          try {
            body = JSON.parse(body);
          } catch {
            parsed = false;
            errors.push(`body of ${where} is not JSON although it is ${mediaType}`);
          }
        }
        if (parsed) {
          const validate = validatorAt(`${pointer}/content/${pointerSegment(declaredType)}/schema`);
          if (!validate(body)) errors.push(...(validate.errors ?? []).map((e) => describeError('body', e)));
        }
      }
    }

    for (const [name, header] of Object.entries(isObject(response.headers) ? response.headers : {})) {
      const lower = name.toLowerCase();
      // OpenAPI: a Content-Type entry among response headers is ignored.
      if (lower === 'content-type') continue;
      const resolved = resolve(document, header, `${pointer}/headers/${pointerSegment(name)}`);
      const values = headers.get(lower);
      if (!values) {
        if (resolved.value.required === true) errors.push(`missing required header ${lower}`);
        continue;
      }
      if (!isObject(resolved.value.schema)) continue;
      const schema = resolve(document, resolved.value.schema, `${resolved.pointer}/schema`).value;
      const validate = validatorAt(`${resolved.pointer}/schema`);
      // Only Set-Cookie comes several times; the spec describes one of its cookies, the others are extra.
      const failures = values.map((value) => (validate(headerValue(value, schema)) ? [] : (validate.errors ?? []).map((e) => describeError(`header ${lower}`, e))));
      if (failures.every((f) => f.length > 0)) errors.push(...new Set(failures.flat()));
    }

    if (errors.length === 0) record(operationId, statusKey);
    return { errors };
  };

  const pairs = () => operations.flatMap((o) => [...o.responses.keys()].map((status) => ({ operationId: o.operationId, status })));

  return { check, record, pairs };
}
