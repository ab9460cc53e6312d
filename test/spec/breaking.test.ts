import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { describe, it } from 'vitest';
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

  it('when a value is added to an enum marked x-extensible (a new git host), then it passes; to an enum not marked so, it fails', () => {
    const provider = (spec: Spec) => spec.components.schemas.Provider as unknown as { enum: string[]; 'x-extensible'?: boolean };
    const fewer = next(released.info.version, (spec) => void provider(spec).enum.pop());
    assert.equal(provider(released)['x-extensible'], true);
    const extensible = compareSpecs(fewer, next(minorBump, () => {}));
    assert.deepEqual(extensible.breaking, []);
    const closed = compareSpecs(
      next(released.info.version, (spec) => {
        provider(spec).enum.pop();
        delete provider(spec)['x-extensible'];
      }),
      next(minorBump, (spec) => void delete provider(spec)['x-extensible']),
    );
    assert.equal(closed.ok, false);
    assert.ok(closed.breaking.some((line) => line.includes('possible values')), closed.breaking.join('\n'));
  });

  it('when maxItems of an array marked x-extensible goes up, then it passes; of one not marked so, it fails', () => {
    const providers = (spec: Spec) => spec.components.schemas.Me!.properties.providers as { maxItems: number; 'x-extensible'?: boolean };
    assert.deepEqual(compareSpecs(next(released.info.version, (spec) => void (providers(spec).maxItems = 2)), next(minorBump, () => {})).breaking, []);
    const closed = compareSpecs(
      next(released.info.version, (spec) => {
        providers(spec).maxItems = 2;
        delete providers(spec)['x-extensible'];
      }),
      next(minorBump, (spec) => void delete providers(spec)['x-extensible']),
    );
    assert.equal(closed.ok, false);
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

/** The major of the newest spec in openapi/releases/. */
function lastReleasedMajor(): number {
  const majors = readdirSync(new URL('../../openapi/releases/', import.meta.url)).flatMap((f) => /^(\d+)\.\d+\.\d+\.yaml$/.exec(f)?.[1] ?? []).map(Number);
  assert.ok(majors.length > 0, 'no released spec');
  return Math.max(...majors);
}

describe('the breaking-change gate as CI runs it (npm run check:breaking), on any branch', () => {
  /** The gate's exit code and output for the current spec changed by `change`. */
  async function gate(change: (spec: Spec) => void): Promise<{ code: number; output: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'breaking-'));
    try {
      const spec = structuredClone(released);
      change(spec);
      await writeFile(join(dir, 'openapi.yaml'), stringify(spec));
      return await promisify(execFile)(process.execPath, ['scripts/check-breaking.ts', '--spec', join(dir, 'openapi.yaml')]).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('when a breaking change is planted without a new major version, then the gate fails and names it', async () => {
    const { code, output } = await gate((spec) => {
      removeHealth(spec);
      // A version within the major of the last release: the next minor, as a careless change would have it.
      spec.info.version = `${lastReleasedMajor()}.999.0`;
    });
    assert.equal(code, 1, output);
    assert.match(output, /breaking change\(s\) since the release \d+\.\d+\.\d+ without a new major version/);
    assert.match(output, /\[Removed\] operation GET \/api\/v1\/health/);
  });

  it('when the same change comes with a new major version, then the gate passes and still lists it', async () => {
    const { code, output } = await gate((spec) => {
      removeHealth(spec);
      spec.info.version = '99.0.0';
    });
    assert.equal(code, 0, output);
    assert.match(output, /allowed by the major version bump/);
  });

  it('when the spec is unchanged, then the gate passes', async () => {
    const { code, output } = await gate(() => {});
    assert.equal(code, 0, output);
  });
});
