import assert from 'node:assert/strict';
import { test } from 'vitest';
import { detectFromFiles, detectKind, isDetectionFailure, detectionFailed, MANIFEST_PATHS, rootFromFiles } from '../../src/kind/detect.ts';

test('rootFromFiles lists top-level files and folders and only the manifests', () => {
  const root = rootFromFiles({ 'package.json': '{}', 'src/index.ts': '', 'src/lib/a.ts': '', '/README.md': '' });
  assert.deepEqual(root.entries, [
    { name: 'README.md', type: 'file' },
    { name: 'package.json', type: 'file' },
    { name: 'src', type: 'dir' },
  ]);
  assert.deepEqual(Object.keys(root.files).sort(), [...MANIFEST_PATHS].sort());
  assert.equal(root.files['package.json'], '{}');
  assert.equal(root.files['go.mod'], null);
});

test('hostile or odd manifests never throw', () => {
  const huge = `{"dependencies":{"react":"1"},"pad":"${'x'.repeat(1_100_000)}"}`;
  const cases: Array<Record<string, string>> = [
    { 'package.json': huge },
    { 'package.json': 'null' },
    { 'package.json': '"string"' },
    { 'package.json': '\uFEFF{"dependencies":{"express":"4"}}' },
    { 'package.json': '{"dependencies":["express"],"devDependencies":null,"workspaces":"packages/*"}' },
    { 'package.json': '{"workspaces":{"packages":"nope"}}' },
    { 'pnpm-workspace.yaml': 'a: &a [*a, *a]\nb: [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n' },
    { 'composer.json': '{not json' },
    { 'Cargo.toml': '[[[[\n= = =\n"' },
    { 'pyproject.toml': '"'.repeat(100_000) },
    { 'requirements.txt': '-r base.txt\n-e .\ngit+https://example.org/x.git\n' },
    { Gemfile: 'gem' },
  ];
  for (const files of cases) {
    const d = detectFromFiles(files);
    assert.ok(['frontend', 'backend', 'fullstack', 'monorepo', 'unknown'].includes(d.kind), JSON.stringify(d));
  }
  assert.deepEqual(detectFromFiles({ 'package.json': huge }), { kind: 'unknown', reason: 'Invalid package.json' });
  assert.deepEqual(detectFromFiles({ 'package.json': '\uFEFF{"dependencies":{"express":"4"}}' }), { kind: 'backend', reason: 'Express' });
});

test('a manifest listed at the root but unreadable still counts by name', () => {
  const root = { entries: [{ name: 'go.mod', type: 'file' as const }, { name: 'pnpm-workspace.yaml', type: 'file' as const }], files: {} };
  assert.deepEqual(detectKind(root), { kind: 'monorepo', reason: 'pnpm workspace' });
  assert.deepEqual(detectKind({ entries: [{ name: 'package.json', type: 'file' }], files: { 'package.json': null } }), {
    kind: 'unknown',
    reason: 'Invalid package.json',
  });
});

test('failure results are recognisable', () => {
  assert.ok(isDetectionFailure(detectionFailed('GitHub timeout')));
  assert.ok(!isDetectionFailure({ kind: 'unknown', reason: 'Empty repository' }));
});
