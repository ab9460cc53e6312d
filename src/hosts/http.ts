/** Request plumbing both git host clients share; how a failure maps to an ApiProblem stays with each host. */

/**
 * A request's own deadline, joined with the caller's cancellation when there is one.
 * `deadline.aborted` afterwards tells our timeout apart from a cancellation.
 */
export function requestSignal(timeoutMs: number, cancel?: AbortSignal): { deadline: AbortSignal; signal: AbortSignal } {
  const deadline = AbortSignal.timeout(timeoutMs);
  return { deadline, signal: cancel ? AbortSignal.any([deadline, cancel]) : deadline };
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
