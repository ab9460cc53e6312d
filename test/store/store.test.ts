/**
 * The store on both databases, and the encryption of host tokens.
 * Its suites run in one test process, sharing the modules it loads once; one runs alone with
 * `npm run test:only -- test/store/<name>.suite.ts`.
 */
import './store.suite.ts';
import './token-encryption.suite.ts';
