/**
 * The GitVerse client, token check and listing source against the fake GitVerse.
 * Its suites run in one test process, sharing the modules it loads once; one runs alone with
 * `npm run test:only -- test/gitverse/<name>.suite.ts`.
 */
import './client.suite.ts';
import './link.suite.ts';
import './source.suite.ts';
