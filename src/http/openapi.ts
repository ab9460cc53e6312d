import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The bundled spec as JSON (`npm run bundle` writes it beside `openapi.yaml`, which the tools read):
 * JSON.parse takes a millisecond where parsing the YAML took about 200 ms of every start.
 */
export const SPEC_PATH = fileURLToPath(new URL('../../openapi/dist/openapi.json', import.meta.url));

export type OpenApiDocument = {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
};

let cached: OpenApiDocument | undefined;

/** A fresh deep copy each call: the validator middleware mutates what it is given. */
export function loadSpec(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as OpenApiDocument;
  return structuredClone(cached);
}

type SchemaValidatorClass = new (opts: { version: string; validateApiSpec: boolean }) => { validate(doc: unknown): { errors: unknown[] | null } };

/** The module of express-openapi-validator that holds the validator of the spec itself. */
export const SPEC_SCHEMA_VALIDATOR_MODULE = 'express-openapi-validator/dist/framework/openapi.schema.validator.js';

const LAZY = Symbol('compiles only when the spec is validated');

/**
 * express-openapi-validator (5.6) compiles the OpenAPI meta-schema with Ajv at every start, also with
 * `validateApiSpec: false` where nothing uses what it compiled: about 190 ms of CPU, an eighth of the
 * production start. This replaces the class it constructs there with one that compiles only when the
 * spec is to be validated. The validator reads the class from its module's exports when it
 * initialises, so replacing the export suffices; if a later version no longer has it there, the start
 * fails here rather than silently paying the cost again (test/api/openapi.test.ts checks both ways).
 */
export function compileSpecSchemaOnlyWhenValidating(): void {
  const module = createRequire(import.meta.url)(SPEC_SCHEMA_VALIDATOR_MODULE) as { OpenAPISchemaValidator?: SchemaValidatorClass & { [LAZY]?: true } };
  const Compiling = module.OpenAPISchemaValidator;
  if (typeof Compiling !== 'function') throw new Error(`${SPEC_SCHEMA_VALIDATOR_MODULE} no longer exports OpenAPISchemaValidator: review compileSpecSchemaOnlyWhenValidating`);
  if (Compiling[LAZY]) return;
  // Called with `new`: a constructor that returns an object makes `new` answer that object.
  const OnlyWhenValidating = function (opts: { version: string; validateApiSpec: boolean }) {
    return opts.validateApiSpec ? new Compiling(opts) : { validate: () => ({ errors: [] }) };
  } as unknown as SchemaValidatorClass & { [LAZY]?: true };
  OnlyWhenValidating[LAZY] = true;
  module.OpenAPISchemaValidator = OnlyWhenValidating;
}
