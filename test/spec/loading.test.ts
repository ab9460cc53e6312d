/**
 * How the app loads its spec at start: from the JSON copy of the bundle, and without compiling the
 * OpenAPI meta-schema that express-openapi-validator would compile for nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'vitest';
import { parse } from 'yaml';
import { compileSpecSchemaOnlyWhenValidating, loadSpec, SPEC_PATH, SPEC_SCHEMA_VALIDATOR_MODULE } from '../../src/http/openapi.ts';
import { SPEC_FILE } from '../support/contract.ts';

type Validator = new (opts: { version: string; validateApiSpec: boolean }) => { validate(doc: unknown): { errors: unknown[] | null } };
const validatorModule = () => createRequire(import.meta.url)(SPEC_SCHEMA_VALIDATOR_MODULE) as { OpenAPISchemaValidator: Validator };

describe('the spec the app loads', () => {
  test('when loaded, then it is the bundled YAML, read from its JSON copy, and each caller gets its own copy', () => {
    assert.match(SPEC_PATH, /openapi\.json$/);
    assert.deepEqual(JSON.parse(readFileSync(SPEC_PATH, 'utf8')), parse(readFileSync(SPEC_FILE, 'utf8')));
    const first = loadSpec();
    assert.deepEqual(first, parse(readFileSync(SPEC_FILE, 'utf8')));
    first.info.title = 'changed by a caller';
    assert.notEqual(loadSpec().info.title, 'changed by a caller');
  });

  test('when the validator of the spec itself is made lazy, then without validateApiSpec nothing is compiled, and with it an invalid spec is still refused', () => {
    compileSpecSchemaOnlyWhenValidating();
    compileSpecSchemaOnlyWhenValidating();
    const { OpenAPISchemaValidator } = validatorModule();
    const invalid = { openapi: '3.1.0', info: { title: 'no version' }, paths: {} };
    assert.deepEqual(new OpenAPISchemaValidator({ version: '3.1.0', validateApiSpec: false }).validate(invalid), { errors: [] });
    const { errors } = new OpenAPISchemaValidator({ version: '3.1.0', validateApiSpec: true }).validate(invalid);
    assert.ok(errors && errors.length > 0, 'the compiled validator finds the missing info.version');
  });

  test('when express-openapi-validator no longer exports the class there, then the start fails with the reason', () => {
    const module = validatorModule() as { OpenAPISchemaValidator: Validator | undefined };
    const kept = module.OpenAPISchemaValidator;
    module.OpenAPISchemaValidator = undefined;
    try {
      assert.throws(() => compileSpecSchemaOnlyWhenValidating(), /no longer exports OpenAPISchemaValidator/);
    } finally {
      module.OpenAPISchemaValidator = kept;
    }
  });
});
