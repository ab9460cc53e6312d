import assert from 'node:assert/strict';
import { test } from 'vitest';
import { APP_MANIFEST_PATH, detectFromFiles, detectKind, emptyRepository, isDetectionFailure, detectionFailed, MANIFEST_PATHS, rootFromFiles } from '../../src/kind/detect.ts';
import { ORIGIN_FILTER_VALUES, ORIGINS } from './helpers.ts';

test('rootFromFiles lists top-level files and folders and only the manifests', () => {
  const root = rootFromFiles({ 'package.json': '{}', 'src/index.ts': '', 'src/lib/a.ts': '', '/README.md': '' });
  assert.deepEqual(root.entries, [
    { name: 'README.md', type: 'file' },
    { name: 'package.json', type: 'file' },
    { name: 'src', type: 'dir' },
  ]);
  assert.deepEqual(Object.keys(root.files).sort(), [...MANIFEST_PATHS, APP_MANIFEST_PATH].sort());
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
  assert.deepEqual(detectFromFiles({ 'package.json': huge }), { kind: 'unknown', reason: 'Invalid package.json', origin: null, origin_reason: null });
  assert.deepEqual(detectFromFiles({ 'package.json': '\uFEFF{"dependencies":{"express":"4"}}' }), { kind: 'backend', reason: 'Express', origin: null, origin_reason: null });
});

test('a manifest listed at the root but unreadable still counts by name', () => {
  const root = { entries: [{ name: 'go.mod', type: 'file' as const }, { name: 'pnpm-workspace.yaml', type: 'file' as const }], files: {} };
  assert.deepEqual(detectKind(root), { kind: 'monorepo', reason: 'pnpm workspace', origin: null, origin_reason: null });
  assert.deepEqual(detectKind({ entries: [{ name: 'package.json', type: 'file' }], files: { 'package.json': null } }), {
    kind: 'unknown',
    reason: 'Invalid package.json',
    origin: null,
    origin_reason: null,
  });
});

test('failure results are recognisable', () => {
  assert.ok(isDetectionFailure(detectionFailed('GitHub timeout')));
  assert.ok(!isDetectionFailure(emptyRepository()));
});

test('the origin filter offers every app builder the API names, plus any and none', () => {
  assert.deepEqual([...ORIGIN_FILTER_VALUES].sort(), [...ORIGINS, 'any', 'none'].sort());
});

test('when only a builder file below the root is read, then its folder is named in the evidence', () => {
  const root = {
    entries: [{ name: 'apps', type: 'dir' as const }, { name: 'turbo.json', type: 'file' as const }],
    files: { [APP_MANIFEST_PATH]: '{"name":"web","dependencies":{"@base44/sdk":"^0.7.1","react":"^18"}}' },
  };
  assert.deepEqual(detectKind(root), { kind: 'monorepo', reason: 'Turbo monorepo', origin: 'base44', origin_reason: 'apps/web: @base44/sdk in dependencies' });
});

test('when the builder files are unreadable or odd, then there is no origin and no throw', () => {
  const cases: Array<Record<string, string>> = [
    { 'package.json': '{"devDependencies":["lovable-tagger"]}' },
    { 'package.json': '{"name":{"my-v0-project":true}}' },
    { 'package.json': '{not json', [APP_MANIFEST_PATH]: '{"devDependencies":{"lovable-tagger":"1"}' },
    { '.bolt': 'a file, not the folder' },
    { 'docs/.replit': 'run = "x"' },
  ];
  for (const files of cases) assert.equal(detectFromFiles(files).origin, null, JSON.stringify(files));
});

test('failures say why for the origin too; an empty repository was made by nothing', () => {
  assert.deepEqual(detectionFailed('GitHub timeout'), {
    kind: 'unknown',
    reason: 'Detection failed: GitHub timeout',
    origin: null,
    origin_reason: 'Detection failed: GitHub timeout',
  });
  assert.deepEqual(emptyRepository(), { kind: 'unknown', reason: 'Empty repository', origin: null, origin_reason: null });
});
