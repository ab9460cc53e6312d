/**
 * A clock the test moves (`src/clock.ts`): it starts at the wall clock's time and stands still until
 * `advance` moves it, which also ends every wait that falls due. A test that wants a budget or an
 * expiry to pass says so, instead of sleeping past it.
 */
import type { Clock } from '../../src/clock.ts';

export class ManualClock implements Clock {
  private current: number;
  private waits: Array<{ due: number; resolve: () => void }> = [];

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number): { elapsed: Promise<void>; cancel(): void } {
    let wait!: { due: number; resolve: () => void };
    const elapsed = new Promise<void>((resolve) => (wait = { due: this.current + Math.max(0, ms), resolve }));
    this.waits.push(wait);
    return { elapsed, cancel: () => (this.waits = this.waits.filter((w) => w !== wait)) };
  }

  /** Waits set and not yet due or cancelled: a test can wait for the code under test to have set one. */
  get pending(): number {
    return this.waits.length;
  }

  /** Moves the clock `ms` forward and ends the waits that fall due by then, earliest first. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.waits.filter((w) => w.due <= this.current).sort((a, b) => a.due - b.due);
    this.waits = this.waits.filter((w) => w.due > this.current);
    for (const w of due) w.resolve();
  }
}
