/** Request plumbing both git host clients share; how a failure maps to an ApiProblem stays with each host. */

/**
 * A request's own deadline, joined with the caller's cancellation when there is one.
 * `deadline.aborted` afterwards tells our timeout apart from a cancellation.
 */
export function requestSignal(timeoutMs: number, cancel?: AbortSignal): { deadline: AbortSignal; signal: AbortSignal } {
  const deadline = AbortSignal.timeout(timeoutMs);
  return { deadline, signal: cancel ? AbortSignal.any([deadline, cancel]) : deadline };
}

/**
 * How a request to a git host failed, in words for a problem's detail: "refused the connection",
 * "could not be found"... Never the address or the socket error itself (for GitHub Enterprise on an
 * internal network those name internal hosts); those stay in the log, with the request id.
 */
export function failureInWords(error: unknown): string {
  const codes: string[] = [];
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') codes.push(code);
    messages.push(current.message);
    current = current.cause;
  }
  const has = (...names: string[]) => codes.some((c) => names.includes(c));
  if (has('ECONNREFUSED')) return 'refused the connection';
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL')) return 'could not be found (its name did not resolve)';
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED')) return 'closed the connection before answering in full';
  if (has('ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT')) return 'did not answer in time';
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN')) return 'could not be reached over the network';
  if (codes.some((c) => /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(c))) return 'presented a TLS certificate that was not accepted';
  if (messages.some((m) => /terminated|other side closed|premature close|aborted/i.test(m))) return 'closed the connection before answering in full';
  return 'could not be reached';
}

/** Undici wraps socket errors ("other side closed") in a generic "fetch failed"/"terminated". */
export function rootMessage(error: unknown): string {
  let current: unknown = error;
  let message = 'unknown error';
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    message = current.message || message;
    current = current.cause;
  }
  return message;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) as the seconds to wait: a number of seconds, or an HTTP date read
 * against `now` (the app's clock, ms since the epoch); undefined when it is absent or neither.
 */
export function retryAfterSeconds(value: string | null | undefined, now: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : (at - now) / 1000;
}
