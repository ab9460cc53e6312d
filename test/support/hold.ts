/**
 * Holds a fake host's answers (its `held`) until so many requests are in flight at once: how a test
 * shows that a client asks for pages side by side, without racing a latency against the client's sends.
 */
import assert from 'node:assert/strict';
import { vi } from 'vitest';

interface Holdable {
  held: Promise<unknown> | undefined;
  counters: { inFlight: number };
}

/** Holds every answer from now on; `releaseAt(n)` waits until `n` requests are in flight, then lets every held answer go. */
export function holdAnswers(state: Holdable): { releaseAt(inFlight: number): Promise<void> } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  state.held = held;
  return {
    async releaseAt(inFlight) {
      try {
        await vi.waitFor(() => assert.ok(state.counters.inFlight >= inFlight, `${state.counters.inFlight} of ${inFlight} requests in flight`), { timeout: 30_000, interval: 5 });
      } finally {
        if (state.held === held) state.held = undefined;
        release();
      }
    },
  };
}
