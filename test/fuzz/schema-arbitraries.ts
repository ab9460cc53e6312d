/**
 * JSON Schema → fast-check arbitraries for the subset the spec uses in requests (type and type
 * lists, const, enum, oneOf/anyOf, string length/pattern/format, integer/number ranges, arrays with
 * min/max/uniqueItems, objects with required and additionalProperties), plus the opposite: values
 * that break exactly those constraints. Anything outside the subset throws, so a spec that grows a
 * new keyword fails loudly here instead of being fuzzed with wrong values.
 *
 * Every "invalid" candidate is checked with ajv against the schema (with the request validator's
 * type coercion for parameters), so a mutation that happens to be valid is never sent as invalid.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { resolve } from '../support/contract.ts';
import type { Json, ParameterLocation, ParameterModel } from './spec-model.ts';

export type Location = ParameterLocation | 'body';

/** An invalid value with a short reason, printed in counterexamples. */
export interface Mutation<T> {
  value: T;
  why: string;
}

const DOCUMENT_ID = 'urn:repositories-api:fuzz';
const SUPPORTED = new Set([
  '$ref', 'type', 'const', 'enum', 'oneOf', 'anyOf', 'minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'items', 'minItems', 'maxItems', 'uniqueItems', 'properties', 'required',
  'additionalProperties', 'description', 'example', 'examples', 'default', 'writeOnly', 'readOnly', 'title', 'deprecated',
]);
const SUPPORTED_FORMATS = new Set(['uri', 'uri-reference', 'date-time', 'int32', 'int64', 'email', 'uuid']);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What an HTTP header value carries unchanged: printable ASCII, and no surrounding spaces (they are trimmed). */
export const headerSafe = (s: string) => /^[\x20-\x7e]*$/.test(s) && s.trim() === s;

/** No lone surrogates (they cannot be percent-encoded as UTF-8). */
export const wellFormed = (s: string) => !/\p{Cs}/u.test(s);

/**
 * Values seen in earlier answers, by the schema component they were declared with. A request
 * schema that names the same component (e.g. `RepositoryId` in a path and in a listing) then draws
 * from them too, which reaches the success paths (connect a listed repository, disconnect a
 * connected one) that random ids never hit: Schemathesis' links, inferred from shared components.
 */
export class Observations {
  private readonly pools = new Map<string, { values: unknown[]; seen: Set<string> }>();
  private static readonly LIMIT = 128;

  private readonly schemas: SchemaTools;
  /** Only components that some request schema uses are worth remembering. */
  private readonly wanted: Set<string>;

  constructor(schemas: SchemaTools, wanted: Set<string>) {
    this.schemas = schemas;
    this.wanted = wanted;
  }

  record(schema: unknown, value: unknown, depth = 0): void {
    if (!isObject(schema) || depth > 32 || value === undefined) return;
    if (typeof schema.$ref === 'string') {
      if (this.wanted.has(schema.$ref)) this.add(schema.$ref, value);
      this.record(this.schemas.deref(schema), value, depth + 1);
      return;
    }
    for (const key of ['oneOf', 'anyOf'] as const) {
      if (Array.isArray(schema[key])) for (const branch of schema[key]) this.record(branch, value, depth + 1);
    }
    if (Array.isArray(value)) {
      for (const item of value) this.record(schema.items, item, depth + 1);
    } else if (isObject(value) && isObject(schema.properties)) {
      for (const [name, sub] of Object.entries(schema.properties)) this.record(sub, value[name], depth + 1);
    }
  }

  private add(ref: string, value: unknown): void {
    let pool = this.pools.get(ref);
    if (!pool) this.pools.set(ref, (pool = { values: [], seen: new Set() }));
    const key = JSON.stringify(value);
    if (pool.seen.has(key) || pool.values.length >= Observations.LIMIT) return;
    // oneOf walks every branch: keep only what really is an instance of this component.
    if (!this.schemas.valid({ $ref: ref }, value)) return;
    pool.seen.add(key);
    pool.values.push(value);
  }

  pick(ref: string, index: number): unknown {
    const pool = this.pools.get(ref);
    return pool && pool.values.length ? pool.values[index % pool.values.length] : undefined;
  }
}

/** Rewrites local `$ref`s to point into the document registered with ajv. */
function absolute(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(absolute);
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${DOCUMENT_ID}${v}` : absolute(v)]),
  );
}

export class SchemaTools {
  private readonly strictAjv: Ajv2020;
  private readonly coercingAjv: Ajv2020;
  private readonly compiled = new WeakMap<Json, ValidateFunction>();
  private readonly compiledCoercing = new WeakMap<Json, ValidateFunction>();
  private readonly compiledParameters = new WeakMap<Json, ValidateFunction>();

  readonly document: Json;

  constructor(document: Json) {
    this.document = document;
    const make = (coerceTypes: boolean) => {
      const ajv = new Ajv2020({ strict: false, allErrors: false, coerceTypes, validateFormats: true });
      addFormats.default(ajv);
      ajv.addSchema({ ...document, $id: DOCUMENT_ID });
      return ajv;
    };
    this.strictAjv = make(false);
    this.coercingAjv = make(true);
  }

  deref(schema: Json): Json {
    return resolve(this.document, schema, '(request schema)').value;
  }

  /** JSON-level validity, as a body is judged. */
  valid(schema: Json, value: unknown): boolean {
    let validate = this.compiled.get(schema);
    if (!validate) this.compiled.set(schema, (validate = this.strictAjv.compile(absolute(schema) as Json)));
    return validate(value);
  }

  /** Whether a body that breaks the schema passes once scalars are coerced (`"5"` for 5, `true` for 1). */
  validCoerced(schema: Json, value: unknown): boolean {
    let validate = this.compiledCoercing.get(schema);
    if (!validate) this.compiledCoercing.set(schema, (validate = this.coercingAjv.compile(absolute(schema) as Json)));
    // Coercion rewrites the value in place, so it works on a copy.
    return validate(JSON.parse(JSON.stringify(value)));
  }

  /**
   * Validity of a parameter's text as the request validator sees it: split per style, then coerced
   * (query and path values are text, so `"5"` is the integer 5), and never empty in the query unless
   * the parameter allows it.
   */
  validText(parameter: ParameterModel, text: string | string[]): boolean {
    if (parameter.in === 'query' && !parameter.allowEmptyValue && (text === '' || (Array.isArray(text) && text.join(',') === ''))) return false;
    let validate = this.compiledParameters.get(parameter.schema);
    if (!validate) {
      const schema = { type: 'object', properties: { v: absolute(parameter.schema) } };
      this.compiledParameters.set(parameter.schema, (validate = this.coercingAjv.compile(schema)));
    }
    // A form array without explode travels as one comma-separated value, and the server splits it again.
    const value = Array.isArray(text) ? (parameter.explode ? [...text] : text.join(',').split(',')) : text;
    const holder: { v: unknown } = { v: value };
    // JSON has no Infinity: a text that coerces to it is no number of the spec (whatever a validator's coercion says).
    const infinite = (x: unknown) => typeof x === 'number' && !Number.isFinite(x);
    return validate(holder) && !(Array.isArray(holder.v) ? holder.v.some(infinite) : infinite(holder.v));
  }
}

function checkSupported(schema: Json, where: string): void {
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED.has(key) && !key.startsWith('x-')) throw new Error(`the fuzzer does not support the schema keyword "${key}" (${where})`);
  }
  if (typeof schema.format === 'string' && !SUPPORTED_FORMATS.has(schema.format)) {
    throw new Error(`the fuzzer does not support the format "${schema.format}" (${where})`);
  }
}

const typesOf = (schema: Json): string[] => {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === 'string') return [schema.type];
  if (isObject(schema.properties)) return ['object'];
  if (schema.items !== undefined) return ['array'];
  throw new Error(`the fuzzer needs a type in ${JSON.stringify(schema).slice(0, 120)}`);
};

const numberOr = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);

function integerBounds(schema: Json): { min: number; max: number } {
  const int32 = schema.format === 'int32';
  let min = numberOr(schema.minimum, int32 ? -(2 ** 31) : Number.MIN_SAFE_INTEGER);
  let max = numberOr(schema.maximum, int32 ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER);
  if (typeof schema.exclusiveMinimum === 'number') min = Math.max(min, schema.exclusiveMinimum + 1);
  if (typeof schema.exclusiveMaximum === 'number') max = Math.min(max, schema.exclusiveMaximum - 1);
  return { min, max };
}

function stringBounds(schema: Json): { min: number; max: number } {
  return { min: numberOr(schema.minLength, 0), max: numberOr(schema.maxLength, 1024) };
}

/** Code points, as JSON Schema counts length. */
const length = (s: string) => [...s].length;

/**
 * Whether a cheap, broad generator hits this pattern often enough to filter on (fast-check's
 * `filter` retries until it finds a match, so a rare match would stall the run).
 */
function filterable<T>(arbitrary: fc.Arbitrary<T>, accept: (value: T) => boolean, atLeast = 20): boolean {
  const sample = fc.sample(arbitrary, { numRuns: 60, seed: 1 });
  return sample.filter(accept).length >= atLeast;
}

export class ArbitraryFactory {
  private readonly tools: SchemaTools;
  private readonly observations: Observations | undefined;

  constructor(tools: SchemaTools, observations?: Observations) {
    this.tools = tools;
    this.observations = observations;
  }

  /** Values valid for the schema, where they will travel (headers carry printable ASCII only). */
  valid(schema: Json, location: Location, depth = 0): fc.Arbitrary<unknown> {
    if (depth > 16) throw new Error('schema nesting too deep for the fuzzer');
    if (typeof schema.$ref === 'string') {
      const base = this.valid(this.tools.deref(schema), location, depth + 1);
      const observations = this.observations;
      if (!observations) return base;
      const ref = schema.$ref;
      // Seen values first when there are any; the schema's own values otherwise.
      const seen = fc.tuple(base, fc.nat()).map(([fallback, i]) => observations.pick(ref, i) ?? fallback);
      return fc.oneof({ weight: 3, arbitrary: base }, { weight: 2, arbitrary: seen });
    }
    checkSupported(schema, location);
    if ('const' in schema) return fc.constant(schema.const);
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    for (const key of ['oneOf', 'anyOf'] as const) {
      if (Array.isArray(schema[key])) {
        const { [key]: branches, ...rest } = schema;
        const arbitraries = (branches as Json[]).map((b) => this.valid({ ...rest, ...b }, location, depth + 1));
        // oneOf: a value matching two branches would be invalid.
        return key === 'oneOf' ? fc.oneof(...arbitraries).filter((v) => this.tools.valid(schema, v)) : fc.oneof(...arbitraries);
      }
    }
    const types = typesOf(schema);
    if (types.length > 1) return fc.oneof(...types.map((type) => this.valid({ ...schema, type }, location, depth + 1)));
    switch (types[0]) {
      case 'string':
        return this.validString(schema, location);
      case 'integer': {
        const { min, max } = integerBounds(schema);
        const near = (n: number) => fc.integer({ min: Math.max(min, n - 3), max: Math.min(max, n + 3) });
        return fc.oneof(
          fc.constantFrom(min, max),
          near(min),
          near(max),
          fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number),
        );
      }
      case 'number':
        return fc.double({ min: numberOr(schema.minimum, -1e9), max: numberOr(schema.maximum, 1e9), noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const item = this.valid((schema.items ?? {}) as Json, location, depth + 1);
        const constraints = { minLength: numberOr(schema.minItems, 0), maxLength: Math.min(numberOr(schema.maxItems, 8), 8) };
        return schema.uniqueItems === true
          ? fc.uniqueArray(item, { ...constraints, selector: (v) => JSON.stringify(v) })
          : fc.array(item, constraints);
      }
      case 'object': {
        const properties = (schema.properties ?? {}) as Record<string, Json>;
        const required = (schema.required ?? []) as string[];
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, sub] of Object.entries(properties)) record[name] = this.valid(sub, location, depth + 1);
        return fc.record(record, { requiredKeys: required });
      }
      default:
        throw new Error(`the fuzzer does not support type ${String(types[0])}`);
    }
  }

  private validString(schema: Json, location: Location): fc.Arbitrary<string> {
    const { min, max } = stringBounds(schema);
    const fits = (s: string) => length(s) >= min && length(s) <= max && (location !== 'header' || headerSafe(s)) && wellFormed(s);
    if (schema.format === 'uri') return fc.webUrl({ withQueryParameters: true, withFragments: true }).filter(fits);
    if (schema.format === 'uri-reference') return fc.oneof(fc.webUrl(), fc.webPath()).filter(fits);
    if (schema.format === 'date-time') {
      return fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    }
    if (schema.format === 'email') return fc.emailAddress().filter(fits);
    if (schema.format === 'uuid') return fc.uuid();
    const unit = location === 'header' ? 'grapheme-ascii' : 'grapheme';
    if (typeof schema.pattern !== 'string') return fc.string({ unit, minLength: min, maxLength: Math.min(max, 64) }).filter(fits);
    const pattern = new RegExp(schema.pattern, 'u');
    const matches = (s: string) => pattern.test(s) && fits(s);
    const choices: fc.Arbitrary<string>[] = [fc.stringMatching(new RegExp(schema.pattern)).filter(matches)];
    // Longest strings too: repeat a short match up to the limit (works for the character-class patterns in use).
    choices.push(
      fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length > 0).map((s) => [...s.repeat(Math.ceil(max / s.length))].slice(0, max).join('')).filter(matches),
    );
    // Beyond the printable ASCII that `stringMatching` draws from, when the pattern allows it.
    const broad = fc.string({ unit, minLength: Math.max(min, 1), maxLength: Math.min(max, 40) });
    if (filterable(broad, matches)) choices.push(broad.filter(matches));
    return fc.oneof(...choices);
  }

  /** JSON values that break the schema, each with the reason. */
  invalidJson(schema: Json, depth = 0): fc.Arbitrary<Mutation<unknown>> {
    const target = typeof schema.$ref === 'string' ? this.tools.deref(schema) : schema;
    checkSupported(target, 'body');
    const candidates: fc.Arbitrary<Mutation<unknown>>[] = [this.wrongJsonType()];
    if (Array.isArray(target.enum)) candidates.push(this.unknownWord(target.enum as unknown[]).map((value) => ({ value, why: 'not one of the enum values' })));
    if ('const' in target) candidates.push(fc.constant({ value: `${String(target.const)}x`, why: 'not the const value' }));
    const types = Array.isArray(target.enum) || 'const' in target ? [] : (() => {
      try {
        return typesOf(target);
      } catch {
        return [];
      }
    })();
    if (types.includes('string')) {
      candidates.push(...this.invalidStrings(target, 'body'));
      // The right text as a JSON number: only type coercion would let it through.
      const { min, max } = stringBounds(target);
      const digits = fc.bigInt({ min: 10n ** BigInt(Math.max(0, min - 1)), max: 10n ** BigInt(Math.min(15, Math.max(1, max))) - 1n });
      const fitsAsText = (n: number) => this.tools.valid(target, String(n));
      if (filterable(digits.map(Number), fitsAsText)) candidates.push(digits.map(Number).filter(fitsAsText).map((value) => ({ value, why: 'a valid string sent as a number' })));
    }
    if (types.includes('integer') || types.includes('number')) {
      candidates.push(...this.invalidNumbers(target).map((a) => a.map((m) => ({ value: Number(m.value), why: m.why }))));
      // The right value with the wrong JSON type.
      candidates.push((this.valid(target, 'body') as fc.Arbitrary<number>).map((n) => ({ value: String(n), why: 'a valid number sent as a string' })));
      candidates.push(fc.constantFrom(true, false).map((value) => ({ value, why: 'a boolean for a number' })));
    }
    if (types.includes('boolean')) candidates.push(fc.boolean().map((b) => ({ value: String(b), why: 'a boolean sent as a string' })));
    if (types.includes('array') && depth < 4) {
      const item = this.valid((target.items ?? {}) as Json, 'body');
      const maxItems = numberOr(target.maxItems, Number.POSITIVE_INFINITY);
      const minItems = numberOr(target.minItems, 0);
      if (Number.isFinite(maxItems)) candidates.push(fc.array(item, { minLength: maxItems + 1, maxLength: maxItems + 3 }).map((value) => ({ value, why: 'too many items' })));
      if (minItems > 0) candidates.push(fc.constant({ value: [], why: 'too few items' }));
      if (target.uniqueItems === true) candidates.push(item.map((v) => ({ value: [v, v], why: 'duplicate items' })));
      candidates.push(this.invalidJson((target.items ?? {}) as Json, depth + 1).map((m) => ({ value: [m.value], why: `item: ${m.why}` })));
    }
    if (types.includes('object') && depth < 4) candidates.push(...this.invalidObjects(target, depth));
    // Deeply nested junk where a scalar or a small object belongs.
    candidates.push(
      fc.tuple(fc.integer({ min: 64, max: 2000 }), fc.boolean()).map(([n, objects]) => ({ value: nest(n, objects), why: `nested ${n} levels deep` })),
    );
    return fc.oneof(...candidates).filter((m) => !this.tools.valid(schema, m.value));
  }

  private invalidObjects(schema: Json, depth: number): fc.Arbitrary<Mutation<unknown>>[] {
    const properties = (schema.properties ?? {}) as Record<string, Json>;
    const required = (schema.required ?? []) as string[];
    const validObject = this.valid(schema, 'body') as fc.Arbitrary<Json>;
    const found: fc.Arbitrary<Mutation<unknown>>[] = [];
    for (const name of required) {
      found.push(validObject.map((o) => {
        const { [name]: _dropped, ...rest } = o;
        return { value: rest, why: `missing required ${name}` };
      }));
    }
    if (schema.additionalProperties === false) {
      const extraName = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'extra', 'id', 'Provider'), fc.string({ minLength: 1, maxLength: 12 })).filter((n) => !(n in properties));
      found.push(
        fc.tuple(validObject, extraName, fc.jsonValue({ maxDepth: 2 })).map(([o, n, v]) => {
          // JSON.parse would make `__proto__` an own property; do the same here.
          const value = JSON.parse(JSON.stringify(o)) as Json;
          Object.defineProperty(value, n, { value: v, enumerable: true, configurable: true, writable: true });
          return { value, why: `unknown property ${JSON.stringify(n)}` };
        }),
      );
    }
    for (const [name, sub] of Object.entries(properties)) {
      found.push(
        fc.tuple(validObject, this.invalidJson(sub, depth + 1)).map(([o, m]) => ({ value: { ...o, [name]: m.value }, why: `${name}: ${m.why}` })),
      );
    }
    return found;
  }

  /** One of each JSON type; the caller's validity filter drops those the schema allows. */
  private wrongJsonType(): fc.Arbitrary<Mutation<unknown>> {
    const samples: Array<[string, unknown]> = [
      ['null', null], ['boolean', true], ['boolean', false], ['integer', 0], ['integer', 1], ['number', 1.5], ['number', -0.5],
      ['string', ''], ['string', '1'], ['string', 'true'], ['string', 'github'], ['array', []], ['array', [1]], ['object', {}],
    ];
    return fc.constantFrom(...samples).map(([type, value]) => ({ value, why: `a ${type} instead` }));
  }

  private unknownWord(allowed: unknown[]): fc.Arbitrary<string> {
    const text = allowed.filter((a): a is string => typeof a === 'string');
    const variants = text.flatMap((a) => [a.toUpperCase(), `${a} `, ` ${a}`, `${a}s`, a.slice(0, -1)]);
    const base = fc.oneof(fc.string({ minLength: 0, maxLength: 16 }), fc.constantFrom('', 'null', 'undefined', '*', 'all', 'none', ...variants));
    return base.filter((w) => !allowed.includes(w));
  }

  /** Strings that break length, pattern or format (as text; the caller places them). */
  private invalidStrings(schema: Json, location: Location): fc.Arbitrary<Mutation<string>>[] {
    const { min, max } = stringBounds(schema);
    const found: fc.Arbitrary<Mutation<string>>[] = [];
    const safe = (s: string) => location !== 'header' || headerSafe(s);
    if (typeof schema.maxLength === 'number') {
      const filler = (this.valid({ ...schema, maxLength: undefined, minLength: 1 }, location) as fc.Arbitrary<string>).filter((s) => s.length > 0);
      found.push(
        fc.tuple(filler, fc.integer({ min: 1, max: 256 })).map(([s, extra]) => {
          const target = max + extra;
          return { value: [...s.repeat(Math.ceil(target / length(s)))].slice(0, target).join(''), why: `longer than ${max}` };
        }),
      );
    }
    if (min > 0) found.push(fc.constant({ value: '', why: `shorter than ${min}` }));
    if (typeof schema.pattern === 'string') {
      const pattern = new RegExp(schema.pattern, 'u');
      // Any ASCII, control characters included; the curated list adds the rest of Unicode.
      const curated = ['\u0000', '\u0001x', 'a\tb', 'a\nb', ' ', 'a b', '<script>', '%00', '../..', '😀', '\u007f', 'ÿ', 'a/b', 'a,b', 'a;b'];
      const broken = fc.oneof(fc.constantFrom(...curated), fc.string({ unit: 'binary-ascii', minLength: Math.max(min, 1), maxLength: Math.min(max, 32) }));
      const breaks = (s: string) => !pattern.test(s) && safe(s) && wellFormed(s);
      // `^[\s\S]*$` and the like cannot be broken.
      if (filterable(broken, breaks, 3)) found.push(broken.filter(breaks).map((value) => ({ value, why: `does not match ${schema.pattern}` })));
    }
    if (schema.format === 'uri' || schema.format === 'uri-reference') {
      found.push(fc.constantFrom('not a uri', 'http://', '::', 'http://exa mple.com', '\\\\host').filter(safe).map((value) => ({ value, why: `not a ${String(schema.format)}` })));
    }
    if (schema.format === 'date-time') found.push(fc.constantFrom('2026-13-01T00:00:00Z', 'yesterday', '2026-01-01').map((value) => ({ value, why: 'not a date-time' })));
    return found;
  }

  /** Numbers out of range or not integers, as text (JSON callers convert back). */
  private invalidNumbers(schema: Json): fc.Arbitrary<Mutation<string>>[] {
    const integer = typesOf(schema).includes('integer');
    const { min, max } = integer ? integerBounds(schema) : { min: numberOr(schema.minimum, -Infinity), max: numberOr(schema.maximum, Infinity) };
    const found: fc.Arbitrary<Mutation<string>>[] = [];
    if (Number.isFinite(min)) {
      found.push(fc.bigInt({ min: 1n, max: 10n ** 20n }).map((d) => ({ value: String(BigInt(min) - d), why: `below ${min}` })));
    }
    if (Number.isFinite(max)) {
      found.push(fc.bigInt({ min: 1n, max: 10n ** 20n }).map((d) => ({ value: String(BigInt(max) + d), why: `above ${max}` })));
    }
    if (integer) found.push(fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((d) => !Number.isInteger(d)).map((d) => ({ value: String(d), why: 'not an integer' })));
    return found;
  }

  /** Parameter texts that break the schema: wrong type, range, enum, length, pattern, format, array rules. */
  invalidText(parameter: ParameterModel): fc.Arbitrary<Mutation<string | string[]>> | undefined {
    const schema = typeof parameter.schema.$ref === 'string' ? this.tools.deref(parameter.schema) : parameter.schema;
    checkSupported(schema, `parameter ${parameter.name}`);
    const location = parameter.in;
    const safe = (s: string) => (location !== 'header' || headerSafe(s)) && wellFormed(s);
    // Dot segments would be resolved away by the URL before the request leaves; an empty segment changes the route.
    const travels = (s: string) => location !== 'path' || (s !== '' && s !== '.' && s !== '..');
    const scalar = (target: Json): fc.Arbitrary<Mutation<string>> => {
      const resolved = typeof target.$ref === 'string' ? this.tools.deref(target) : target;
      const candidates: fc.Arbitrary<Mutation<string>>[] = [
        fc.oneof(fc.constantFrom('', 'abc', '-', '1.5', 'NaN', 'Infinity', '-Infinity', '1e400', '1,2', '[]', '{}', 'null', 'true', 'x'.repeat(300)), fc.string({ maxLength: 24 })).map((value) => ({ value, why: 'junk text' })),
      ];
      if (Array.isArray(resolved.enum)) {
        const allowed = resolved.enum as unknown[];
        // Paths match in any letter case, so in a path an enum value in other letters may be the
        // concrete path of another operation (`/auth/GITHUB/login` is `/auth/github/login`): not an invalid request.
        const sameWord = (w: string) => location === 'path' && allowed.some((a) => typeof a === 'string' && a.toLowerCase() === w.toLowerCase());
        candidates.push(this.unknownWord(allowed).filter((w) => !sameWord(w)).map((value) => ({ value, why: 'not one of the enum values' })));
      }
      const types = Array.isArray(resolved.enum) ? [] : typesOf(resolved);
      if (types.includes('integer') || types.includes('number')) candidates.push(...this.invalidNumbers(resolved));
      if (types.includes('boolean')) candidates.push(fc.constantFrom('yes', 'no', 'on', 'off', 'TRUE', 'False', '2', 't').map((value) => ({ value, why: 'not a boolean' })));
      if (types.includes('string')) candidates.push(...this.invalidStrings(resolved, location));
      return fc.oneof(...candidates).filter((m) => safe(m.value) && travels(m.value));
    };
    let arbitrary: fc.Arbitrary<Mutation<string | string[]>>;
    if (typesOf(schema).includes('array') && !Array.isArray(schema.enum)) {
      const items = (schema.items ?? {}) as Json;
      const valid = (this.valid(items, location) as fc.Arbitrary<unknown>).map(String);
      const maxItems = numberOr(schema.maxItems, Number.POSITIVE_INFINITY);
      const candidates: fc.Arbitrary<Mutation<string | string[]>>[] = [
        fc.tuple(fc.array(valid, { maxLength: 2 }), scalar(items)).map(([ok, bad]) => ({ value: [...ok, bad.value], why: `item: ${bad.why}` })),
      ];
      if (Number.isFinite(maxItems)) candidates.push(fc.array(valid, { minLength: maxItems + 1, maxLength: maxItems + 4 }).map((value) => ({ value, why: 'too many items' })));
      if (schema.uniqueItems === true) candidates.push(valid.map((v) => ({ value: [v, v], why: 'duplicate items' })));
      if (numberOr(schema.minItems, 0) > 0) candidates.push(fc.constant({ value: [''], why: 'no items' }));
      arbitrary = fc.oneof(...candidates);
    } else {
      arbitrary = scalar(schema);
    }
    const invalid = (m: Mutation<string | string[]>) => !this.tools.validText(parameter, m.value);
    // A parameter that accepts (nearly) any text has nothing to break.
    return filterable(arbitrary, invalid, 3) ? arbitrary.filter(invalid) : undefined;
  }
}

/** `[[[…[0]…]]]` or `{"a":{"a":…}}`, n levels deep. */
function nest(n: number, objects: boolean): unknown {
  let value: unknown = 0;
  for (let i = 0; i < n; i++) value = objects ? { a: value } : [value];
  return value;
}
