// ESLint flat config: the JavaScript and TypeScript recommended rules, over everything but generated output.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['node_modules/', 'docs-build/', 'openapi/dist/', 'src/api/schema.d.ts', '.test-out/', 'clients/typescript/dist/', 'clients/typescript/src/schema.ts']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a parameter or binding kept on purpose: an Express error handler's
      // `next`, or a property left out of a rest object.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
]);
