/** What the fake git hosts share: how faults are aimed and delivered, and what they count and log. */

/** Fault kinds that shape how an answer is delivered rather than what it says. */
export type DeliveryFaultKind =
  /** Accepts the request and never answers. */
  | 'timeout'
  /** Destroys the socket without an answer. */
  | 'reset'
  /** 200 with a body that is not JSON. */
  | 'badJson'
  /** Announces a longer Content-Length than it sends, then closes the connection. */
  | 'truncated'
  /** The real answer, its status and headers at once and its body `bodyDelayMs` later: a large page on a slow link. */
  | 'slowBody'
  /** The real answer, after the fault's `latencyMs`: a host that is slow but answers. */
  | 'slow';

export interface HostFault<Route extends string, Kind> {
  route: Route | '*';
  kind: Kind;
  /** Only requests for this `page` (a request without `page` is page 1). */
  page?: number;
  /** How many matching requests fail before the fault clears itself; unlimited when omitted. */
  times?: number;
  /** How long this fault's answer takes; the host's latency when omitted. */
  latencyMs?: number;
  /** `slowBody`: how long the body comes after the headers (default 1,000 ms). */
  bodyDelayMs?: number;
}

export interface RequestCounters<Route extends string> {
  /** Requests received, faults included. */
  total: number;
  /** Answers that were 304 Not Modified. */
  notModified: number;
  byRoute: Partial<Record<Route | 'other', number>>;
  /** Requests being handled right now, and the most there ever were at once. */
  inFlight: number;
  maxInFlight: number;
}

/** One request as a fake received it. */
export interface RecordedRequest<Route extends string> {
  method: string;
  route: Route | 'other';
  query: Record<string, string>;
  ifNoneMatch: string | undefined;
  authorization: string | undefined;
  /** The W3C trace context the caller sent, when it traces. */
  traceparent?: string | undefined;
}
