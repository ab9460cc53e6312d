/**
 * The spec-coverage gate, run after every other test: each (operation, status) the spec declares must
 * have been exercised against the implementation by some test, or be listed in
 * test/contract/pending.json with a reason. A pair that is exercised but still listed fails too, so the
 * pending list only shrinks.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { EXERCISED_DIR, loadSpecDocument } from '../support/contract.ts';

const PENDING_FILE = new URL('../contract/pending.json', import.meta.url);

type Spec = { paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>> };

function declaredPairs(): Set<string> {
  const pairs = new Set<string>();
  for (const item of Object.values((loadSpecDocument() as Spec).paths)) {
    for (const op of Object.values(item)) {
      if (!op?.operationId || !op.responses) continue;
      for (const status of Object.keys(op.responses)) pairs.add(`${op.operationId} ${status}`);
    }
  }
  return pairs;
}

function exercisedPairs(): Set<string> {
  const pairs = new Set<string>();
  if (!existsSync(EXERCISED_DIR)) return pairs;
  for (const file of readdirSync(EXERCISED_DIR)) {
    for (const line of readFileSync(join(EXERCISED_DIR, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const { operationId, status } = JSON.parse(line) as { operationId: string; status: string };
      pairs.add(`${operationId} ${status}`);
    }
  }
  return pairs;
}

describe('coverage of the spec by the tests of this run', () => {
  const declared = declaredPairs();
  const exercised = exercisedPairs();
  const pending = JSON.parse(readFileSync(PENDING_FILE, 'utf8')) as Record<string, string>;

  it('when the run is over, then every declared (operation, status) was exercised or is pending with a reason', (ctx) => {
    // Run alone (a single file or a filter), this file has nothing to judge.
    if (exercised.size === 0 && !process.env.CI) ctx.skip('no test of this run exercised the app');
    const missing = [...declared].filter((pair) => !exercised.has(pair) && !(pair in pending));
    console.log(`spec coverage: ${declared.size} (operation, status) pairs declared, ${[...declared].filter((p) => exercised.has(p)).length} exercised, ${Object.keys(pending).length} pending`);
    assert.deepEqual(missing, [], 'not exercised and not pending');
  });

  it('when a pending pair is exercised or no longer declared, then it must leave the pending list', (ctx) => {
    if (exercised.size === 0 && !process.env.CI) ctx.skip('no test of this run exercised the app');
    assert.deepEqual(Object.keys(pending).filter((pair) => exercised.has(pair)), [], 'exercised but still pending');
    assert.deepEqual(Object.keys(pending).filter((pair) => !declared.has(pair)), [], 'pending but not declared by the spec');
  });
});
