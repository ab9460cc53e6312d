import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareSpecs } from '../../scripts/breaking-changes.ts';
import { loadSpecDocument } from '../support/contract.ts';

type Spec = {
  info: { version: string };
  paths: Record<string, unknown>;
  components: { schemas: Record<string, { required: string[]; properties: Record<string, unknown> }> };
};

const released = loadSpecDocument() as Spec;
/** Versions relative to the released one, so the cases hold whatever major the spec is at. */
const major = Number(/^(\d+)\./.exec(released.info.version)?.[1] ?? assert.fail(`no major in ${released.info.version}`));
const minorBump = `${major}.1.0`;
const patchBump = `${major}.0.1`;
const majorBump = `${major + 1}.0.0`;

/** The released spec changed by `change`, at `version`. */
function next(version: string, change: (spec: Spec) => void): Spec {
  const spec = structuredClone(released);
  spec.info.version = version;
  change(spec);
  return spec;
}

function removeListTotal(spec: Spec): void {
  const list = spec.components.schemas.RepositoryList;
  assert.ok(list);
  delete list.properties.total;
  list.required = list.required.filter((name) => name !== 'total');
}

function removeHealth(spec: Spec): void {
  delete spec.paths['/api/v1/health'];
}

describe('the breaking-change gate', () => {
  it('when nothing changed, then it passes', () => {
    assert.deepEqual(compareSpecs(released, structuredClone(released)), {
      breaking: [],
      beforeVersion: released.info.version,
      afterVersion: released.info.version,
      majorBumped: false,
      ok: true,
    });
  });

  it('when a required response property is removed, then it fails and names the property', () => {
    const result = compareSpecs(released, next(minorBump, removeListTotal));
    assert.equal(result.ok, false);
    assert.ok(result.breaking.some((line) => line.includes('`total`') && line.includes('/api/v1/repos')), result.breaking.join('\n'));
  });

  it('when a path is removed, then it fails and names the operation', () => {
    const result = compareSpecs(released, next(patchBump, removeHealth));
    assert.equal(result.ok, false);
    assert.deepEqual(result.breaking, ['[Removed] operation GET /api/v1/health (at paths › /api/v1/health › get)']);
  });

  it('when the major version goes up, then the same breaking changes pass, still listed', () => {
    const result = compareSpecs(
      released,
      next(majorBump, (spec) => {
        removeListTotal(spec);
        removeHealth(spec);
      }),
    );
    assert.equal(result.ok, true);
    assert.equal(result.majorBumped, true);
    assert.equal(result.breaking.length, 3);
  });

  it('when a response only gains an optional property, then it passes without a new major', () => {
    const result = compareSpecs(
      released,
      next(minorBump, (spec) => {
        const health = spec.components.schemas.Health;
        assert.ok(health);
        health.properties.uptime_seconds = { type: 'integer', minimum: 0 };
      }),
    );
    assert.deepEqual(result.breaking, []);
    assert.equal(result.ok, true);
  });
});
