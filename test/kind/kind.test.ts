/**
 * Kind detection: the rules, the corpus, the batched GitHub reading, its fake, and the service.
 * Its suites run in one test process, sharing the modules it loads once; one runs alone with
 * `npm run test:only -- test/kind/<name>.suite.ts`.
 */
import './corpus.suite.ts';
import './detect.suite.ts';
import './github-batch.suite.ts';
import './graphql-fake.suite.ts';
import './service.suite.ts';
