/**
 * What a client may send to each operation, read from the bundled spec: parameters (path-item and
 * operation level merged, `$ref`s followed), the request body, and the security alternatives. The
 * generators work from this alone, so a new operation or parameter is fuzzed without touching them.
 */
import { resolve, specOperations, type SpecOperation } from '../support/contract.ts';

export type Json = Record<string, unknown>;

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

export interface ParameterModel {
  name: string;
  in: ParameterLocation;
  required: boolean;
  schema: Json;
  style: string;
  explode: boolean;
  /** OpenAPI: without it, a query parameter may not be sent empty (`?name=`). */
  allowEmptyValue: boolean;
  /** `example` / `examples` of the parameter itself (the explicit-examples phase). */
  examples: unknown[];
}

export interface BodyModel {
  required: boolean;
  /** Declared media types, e.g. `application/json`. */
  mediaTypes: string[];
  /** The schema of the first JSON media type. */
  schema: Json;
  examples: unknown[];
}

/** One way in: a scheme (how the credential travels) and the scopes it must carry. */
export interface SecurityAlternative {
  scheme: string;
  scopes: string[];
  /** Where the credential goes, from `components.securitySchemes`. */
  carrier: { kind: 'bearer' } | { kind: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string };
}

export interface OperationModel {
  operationId: string;
  method: string;
  /** The path template, e.g. `/api/v1/connections/{provider}/{repo_id}`. */
  path: string;
  parameters: ParameterModel[];
  body: BodyModel | undefined;
  /** Empty: anonymous. An alternative with no schemes at all (`{}`) also means anonymous. */
  security: SecurityAlternative[];
  protected: boolean;
  /** Declared response status keys (`200`, `4XX`, `default`). */
  statuses: Set<string>;
  spec: SpecOperation;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const isJsonMediaType = (mediaType: string) => {
  const bare = (mediaType.split(';')[0] ?? '').trim().toLowerCase();
  return bare === 'application/json' || bare.endsWith('+json');
};

function examplesOf(document: Json, holder: Json, at: string): unknown[] {
  const found: unknown[] = [];
  if ('example' in holder) found.push(holder.example);
  if (isObject(holder.examples)) {
    for (const [name, example] of Object.entries(holder.examples)) {
      const value = resolve(document, example, `${at}/examples/${name}`).value;
      if ('value' in value) found.push(value.value);
    }
  }
  return found;
}

function parametersOf(document: Json, pathItem: Json, operation: Json, at: string): ParameterModel[] {
  const byKey = new Map<string, ParameterModel>();
  const lists: Array<[unknown, string]> = [
    [pathItem.parameters, `${at}/parameters`],
    [operation.parameters, `${at}/parameters`],
  ];
  for (const [list, where] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const p = resolve(document, raw, `${where}/${i}`).value;
      const location = p.in as ParameterLocation;
      if (!isObject(p.schema)) throw new Error(`parameter ${String(p.name)} at ${where} has no schema (content-based parameters are not supported)`);
      const style = typeof p.style === 'string' ? p.style : location === 'query' || location === 'cookie' ? 'form' : 'simple';
      byKey.set(`${location}:${String(p.name)}`, {
        name: String(p.name),
        in: location,
        required: p.required === true || location === 'path',
        schema: p.schema,
        style,
        explode: typeof p.explode === 'boolean' ? p.explode : style === 'form',
        allowEmptyValue: p.allowEmptyValue === true,
        examples: examplesOf(document, p, where),
      });
    });
  }
  return [...byKey.values()];
}

function bodyOf(document: Json, operation: Json, at: string): BodyModel | undefined {
  if (operation.requestBody === undefined) return undefined;
  const body = resolve(document, operation.requestBody, `${at}/requestBody`).value;
  const content = isObject(body.content) ? body.content : {};
  const mediaTypes = Object.keys(content);
  const json = mediaTypes.find(isJsonMediaType);
  if (!json) throw new Error(`the request body at ${at} has no JSON media type; only JSON bodies are generated`);
  const media = content[json] as Json;
  return {
    required: body.required === true,
    mediaTypes,
    schema: media.schema as Json,
    examples: examplesOf(document, media, `${at}/requestBody/content/${json}`),
  };
}

function securityOf(document: Json, operation: Json): SecurityAlternative[] | 'anonymous' {
  const requirements = (operation.security ?? document.security ?? []) as Array<Record<string, string[]>>;
  if (requirements.length === 0 || requirements.some((r) => Object.keys(r).length === 0)) return 'anonymous';
  const schemes = ((document.components as Json | undefined)?.securitySchemes ?? {}) as Record<string, Json>;
  const alternatives: SecurityAlternative[] = [];
  for (const requirement of requirements) {
    const entries = Object.entries(requirement);
    // An alternative that needs two credentials at once is not something this spec uses.
    if (entries.length !== 1) throw new Error('security requirements combining several schemes are not supported');
    const [scheme, scopes] = entries[0] as [string, string[]];
    const declared = schemes[scheme];
    if (!declared) throw new Error(`unknown security scheme ${scheme}`);
    if (declared.type === 'http' && String(declared.scheme).toLowerCase() === 'bearer') {
      alternatives.push({ scheme, scopes, carrier: { kind: 'bearer' } });
    } else if (declared.type === 'apiKey') {
      alternatives.push({ scheme, scopes, carrier: { kind: 'apiKey', in: declared.in as 'header' | 'query' | 'cookie', name: String(declared.name) } });
    } else {
      throw new Error(`security scheme ${scheme} (${String(declared.type)}) is not supported`);
    }
  }
  return alternatives;
}

export function operationModels(document: Json): OperationModel[] {
  return specOperations(document).map((spec) => {
    const at = `/paths/${spec.path.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const pathItem = resolve(document, (document.paths as Json)[spec.path], at).value;
    const security = securityOf(document, spec.operation);
    return {
      operationId: spec.operationId,
      method: spec.method.toUpperCase(),
      path: spec.path,
      parameters: parametersOf(document, pathItem, spec.operation, `${at}/${spec.method}`),
      body: bodyOf(document, spec.operation, `${at}/${spec.method}`),
      security: security === 'anonymous' ? [] : security,
      protected: security !== 'anonymous',
      statuses: new Set(spec.responses.keys()),
      spec,
    };
  });
}

/** Whether the operation declares this status, directly or through `4XX` / `default`. */
export function declares(operation: OperationModel, status: number): boolean {
  const s = String(status);
  return operation.statuses.has(s) || operation.statuses.has(`${s[0]}XX`) || operation.statuses.has('default');
}

/** Every scope any operation asks for, so a token lacking exactly the needed ones can be made. */
export function allScopes(operations: OperationModel[]): string[] {
  return [...new Set(operations.flatMap((o) => o.security.flatMap((s) => s.scopes)))].sort();
}

/** The response schema declared for a status and media type, for harvesting values from answers. */
export function responseSchema(operation: OperationModel, status: number, mediaType: string): Json | undefined {
  const s = String(status);
  const key = [s, `${s[0]}XX`, 'default'].find((k) => operation.spec.responses.has(k));
  const declared = key === undefined ? undefined : operation.spec.responses.get(key);
  if (!declared || !isObject(declared.response.content)) return undefined;
  const media = declared.response.content[mediaType];
  return isObject(media) && isObject(media.schema) ? media.schema : undefined;
}
