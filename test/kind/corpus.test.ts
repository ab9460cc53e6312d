import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { detectFromFiles } from '../../src/kind/detect.ts';
import type { Detection } from '../../src/store/types.ts';
import { ORIGINS } from './helpers.ts';

/** The origin part of a fixture's test name: the builder and its evidence, or none. */
const originOf = (e: Detection) => (e.origin ? `made with ${e.origin} (${e.origin_reason})` : 'no app builder');

describe('kind detection corpus', () => {
  let correct = 0;

  for (const fixture of KIND_CORPUS) {
    const title = `${fixture.name} → ${fixture.expected.kind} (${fixture.expected.reason}), ${originOf(fixture.expected)}`;
    test(fixture.proves ? `${title}: ${fixture.proves}` : title, () => {
      const got = detectFromFiles(fixture.files);
      if (got.kind === fixture.expected.kind && got.reason === fixture.expected.reason) correct++;
      assert.deepEqual(got, fixture.expected);
    });
  }

  test('covers every kind with enough realistic fixtures', () => {
    assert.ok(KIND_CORPUS.length >= 45, `${KIND_CORPUS.length} fixtures`);
    const kinds = new Set(KIND_CORPUS.map((f) => f.expected.kind));
    for (const kind of ['frontend', 'backend', 'fullstack', 'monorepo', 'unknown'] as const) assert.ok(kinds.has(kind), kind);
    assert.equal(new Set(KIND_CORPUS.map((f) => f.name)).size, KIND_CORPUS.length, 'fixture names are unique');
  });

  test('covers every app builder the API names, with look-alikes that are not builder-made', () => {
    const builders = new Set(KIND_CORPUS.flatMap((f) => (f.expected.origin ? [f.expected.origin] : [])));
    assert.deepEqual([...builders].sort(), [...ORIGINS].sort());
    const negatives = KIND_CORPUS.filter((f) => f.expected.origin === null && f.proves);
    assert.ok(negatives.length >= 4, `${negatives.length} look-alikes`);
  });

  afterAll(() => {
    const total = KIND_CORPUS.length;
    console.log(`kind detection accuracy: ${correct}/${total} (${((100 * correct) / total).toFixed(1)}%)`);
  });
});
