/**
 * The app as its own process: crash durability, graceful shutdown, secrets hygiene, two instances.
 * Its suites run in one test process, sharing the modules it loads once; one runs alone with
 * `npm run test:only -- test/ops/<name>.suite.ts`.
 */
import './durability.suite.ts';
import './shutdown.suite.ts';
import './hygiene.suite.ts';
import './instances.suite.ts';
