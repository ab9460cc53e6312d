import type { RequestHandler } from 'express';
import { tracing } from '../telemetry/tracing.ts';

/**
 * With traces on (src/telemetry/tracing.ts), a server span per request, child of the caller's W3C
 * `traceparent` when one is sent: named by the operation's operationId once the request is matched
 * (the method alone for a path the spec does not have), with the route template and the status. No
 * header, no query string: nothing that could carry a credential. Undefined when traces are off.
 * First in the chain, so every listener added to the answer afterwards (the access log's) runs in the
 * span's context and its log line carries the trace id.
 */
export function requestSpans(): RequestHandler | undefined {
  const t = tracing();
  if (!t) return undefined;
  const { api, tracer } = t;
  return (req, res, next) => {
    const parent = api.propagation.extract(api.ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(req.method, { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } }, parent);
    const context = api.trace.setSpan(parent, span);
    api.context.bind(context, res);
    res.once('close', () => {
      const operation = req.operation;
      if (operation) {
        span.updateName(operation.operationId);
        span.setAttribute('http.route', operation.template);
      }
      if (req.id) span.setAttribute('http.request.id', req.id);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished) span.setAttribute('error.type', 'aborted');
      if (res.statusCode >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.end();
    });
    api.context.with(context, next);
  };
}
