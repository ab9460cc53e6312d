/**
 * The test files the mutation run of the modules that guard users (stryker.config.mjs) runs against each
 * mutant: those that exercise them, without the gates, Prism or the reference build of `npm test`.
 */
import { strykerVitestConfig } from './vitest-config.ts';

export default strykerVitestConfig([
  'test/auth/jwt.test.ts',
  'test/listing/query.test.ts',
  'test/contract/problem.test.ts',
  'test/store/store.test.ts',
  'test/http/auth.test.ts',
  'test/github/client.test.ts',
  'test/gitverse/client.test.ts',
  'test/api/auth.test.ts',
  'test/api/session.test.ts',
  'test/api/expiry.test.ts',
  'test/api/paging.test.ts',
  'test/api/connections.test.ts',
  'test/api/filters.test.ts',
], { databases: true });
