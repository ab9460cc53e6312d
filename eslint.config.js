// ESLint flat config: the JavaScript and TypeScript recommended rules, over everything but generated output.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['node_modules/', 'docs-build/', 'openapi/dist/', 'src/api/schema.d.ts', '.test-out/', 'clients/typescript/dist/', 'clients/typescript/src/schema.ts', 'examples/picker/dist/', '.stryker-tmp/', 'reports/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a parameter or binding kept on purpose: an Express error handler's
      // `next`, or a property left out of a rest object.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Layers import downward only: the HTTP layer (and the composition root that wires it) is the only
    // code that speaks HTTP; everything below it speaks the contract's vocabulary (src/contract), and
    // production code never reaches for the dev tools or the test fakes.
    files: ['src/**/*.ts'],
    ignores: ['src/http/**', 'src/app.ts', 'src/server.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['express', 'express-openapi-validator', 'helmet', 'cors', 'cookie-parser', 'pino-http'].map((name) => ({
            name,
            message: 'Only src/http (and the composition root, src/app.ts) imports the web framework.',
          })),
          patterns: [
            { group: ['**/http/*'], message: 'Below the HTTP layer, import the contract (src/contract), not src/http.' },
            { group: ['**/dev/*', '**/test/*'], message: 'Production code does not use the dev tools or the test fakes.' },
          ],
        },
      ],
    },
  },
  {
    // The app reads the time from its clock (src/clock.ts), which tests move instead of sleeping.
    files: ['src/**/*.ts'],
    ignores: ['src/clock.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...["CallExpression[callee.object.name='Date'][callee.property.name='now']", "NewExpression[callee.name='Date'][arguments.length=0]"].map((selector) => ({
          selector,
          message: "Read the time from the app's clock (src/clock.ts, `Services.clock`); a deadline on a real wait uses performance.now().",
        })),
      ],
    },
  },
]);
