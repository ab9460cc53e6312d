/**
 * The GitHub client against the fake GitHub, the fake itself, and its conformance to GitHub's description.
 * Its suites run in one test process, sharing the modules it loads once; one runs alone with
 * `npm run test:only -- test/github/<name>.suite.ts`.
 */
import './client.suite.ts';
import './fake.suite.ts';
import './fake-conformance.suite.ts';
