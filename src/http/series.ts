import type { RequestHandler } from 'express';

/**
 * Middlewares run one after another as one: what Express's router does for a layer per middleware, a
 * synchronous throw or a rejected promise passed on as an error, without the router's matching and
 * bookkeeping for each of them on every request. For middlewares mounted on every path, in order.
 */
export function series(handlers: readonly RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    let index = 0;
    const next = (error?: unknown): void => {
      // `next('route')` only means something to a route's own handlers: here it is `next()`, as in the router.
      if (error !== undefined && error !== null && error !== 'route') return done(error);
      const handler = handlers[index++];
      if (!handler) return done();
      try {
        const answer: unknown = handler(req, res, next);
        if (answer instanceof Promise) answer.then(undefined, (reason: unknown) => done(reason ?? new Error('Rejected promise')));
      } catch (thrown) {
        done(thrown);
      }
    };
    next();
  };
}
