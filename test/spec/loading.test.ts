/**
 * How the app loads its spec at start: from the JSON copy of the bundle, and without compiling the
 * OpenAPI meta-schema that express-openapi-validator would compile for nothing (patched there).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'vitest';
import { parse } from 'yaml';
import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { loadSpec, SPEC_PATH } from '../../src/http/openapi.ts';
import { indexOperations } from '../../src/http/operations.ts';
import { createValidation } from '../../src/http/validation.ts';
import { SPEC_FILE } from '../support/contract.ts';

/** The Ajv the validator itself loads. */
const fromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
type Compile = (this: unknown, schema: { $id?: string } | undefined, meta?: boolean) => unknown;
const AjvCore = (fromValidator('ajv/dist/core') as { default: { prototype: { compile: Compile } } }).default;
const OPENAPI_3_1_META_SCHEMA = 'https://spec.openapis.org/oas/3.1/schema/2022-10-07';


describe('the spec the app loads', () => {
  test('when loaded, then it is the bundled YAML, read from its JSON copy, and each caller gets its own copy', () => {
    assert.match(SPEC_PATH, /openapi\.json$/);
    assert.deepEqual(JSON.parse(readFileSync(SPEC_PATH, 'utf8')), parse(readFileSync(SPEC_FILE, 'utf8')));
    const first = loadSpec();
    assert.deepEqual(first, parse(readFileSync(SPEC_FILE, 'utf8')));
    first.info.title = 'changed by a caller';
    assert.notEqual(loadSpec().info.title, 'changed by a caller');
  });

  test('without validateApiSpec the OpenAPI meta-schema is not compiled, and with it an invalid spec is still refused', async () => {
    // Every schema the validator's Ajv compiles, by its $id (patches/express-openapi-validator+5.6.2.patch).
    const compiled: unknown[] = [];
    const compile = AjvCore.prototype.compile;
    AjvCore.prototype.compile = function (this: unknown, schema: { $id?: string } | undefined, meta?: boolean) {
      compiled.push(schema?.$id);
      return compile.call(this, schema, meta);
    };
    try {
      const spec = loadSpec();
      // Resolves once the validator has loaded the spec and looked every operation up.
      await createValidation(express(), spec, indexOperations(spec), { validateResponses: false });
      assert.ok(!compiled.includes(OPENAPI_3_1_META_SCHEMA), 'the OpenAPI meta-schema was compiled without validateApiSpec');

      const invalid = { openapi: '3.1.0', info: { title: 'no version' }, paths: {} };
      const app = express();
      app.use(OpenApiValidator.middleware({ apiSpec: invalid as never, validateApiSpec: true }));
      const res = await new Promise<number>((resolve) => {
        (app as unknown as { handle: (req: unknown, res: unknown, done: (error: unknown) => void) => void }).handle({ method: 'GET', url: '/', headers: {} } as never, { setHeader() {}, end() {} } as never, (error: unknown) => resolve(error ? 1 : 0));
      });
      assert.equal(res, 1, 'the invalid spec is refused when the spec is validated');
      assert.ok(compiled.includes(OPENAPI_3_1_META_SCHEMA), 'the spec was validated with the OpenAPI meta-schema');
    } finally {
      AjvCore.prototype.compile = compile;
    }
  });
});
