import assert from 'node:assert/strict';

/**
 * Every item satisfies the predicate, and there is at least one: an empty list satisfies any `every`,
 * so asserting `every` alone passes when a request failed or a filter matched nothing.
 */
export function assertEvery<T>(items: readonly T[] | undefined, predicate: (item: T) => unknown, message?: string): void {
  const prefix = message ? `${message}: ` : '';
  assert.ok(items !== undefined && items.length > 0, `${prefix}expected a non-empty list, got ${items === undefined ? 'none' : 'an empty one'}`);
  const failing = items.find((item) => !predicate(item));
  assert.ok(failing === undefined, `${prefix}an item fails: ${JSON.stringify(failing)}`);
}
