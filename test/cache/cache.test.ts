/**
 * The listing cache, in memory and on Redis.
 * Its suites run in one test process, sharing the modules it loads once; one runs alone with
 * `npm run test:only -- test/cache/<name>.suite.ts`.
 */
import './memory.suite.ts';
import './redis.suite.ts';
