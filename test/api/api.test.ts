/**
 * The API's behaviour, every suite of this folder in one test process: each suite starts its own app,
 * fake git hosts and embedded database, and they share the modules this process has loaded once
 * (loading them costs each process a second or more of CPU). A suite runs alone with
 * `npm run test:only -- test/api/<name>.suite.ts`.
 */
import './auth.suite.ts';
import './connections.suite.ts';
import './gitverse.suite.ts';
import './listing.suite.ts';
import './review.suite.ts';
import './session.suite.ts';
