import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { detectFromFiles } from '../../src/kind/detect.ts';

describe('kind detection corpus', () => {
  let correct = 0;

  for (const fixture of KIND_CORPUS) {
    test(`${fixture.name} → ${fixture.expected.kind} (${fixture.expected.reason})`, () => {
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

  afterAll(() => {
    const total = KIND_CORPUS.length;
    console.log(`kind detection accuracy: ${correct}/${total} (${((100 * correct) / total).toFixed(1)}%)`);
  });
});
