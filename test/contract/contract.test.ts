/**
 * The contract suite (against the app, the Prism mock and Prism's validation proxy) and the drift tests.
 * Its suites run in one test process, sharing the modules it loads once; one runs alone with
 * `npm run test:only -- test/contract/<name>.suite.ts`.
 */
import './contract.suite.ts';
import './drift.suite.ts';
