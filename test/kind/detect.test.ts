import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { APP_MANIFEST_PATH, detectFromFiles, detectKind, emptyRepository, isDetectionFailure, detectionFailed, MANIFEST_PATHS, rootFromFiles } from '../../src/kind/detect.ts';
import type { Detection } from '../../src/store/types.ts';
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

/** One rule of the detector, shown on the smallest root that reaches it. Expected answers are written out here. */
interface RuleCase {
  when: string;
  files: Record<string, string>;
  kind: Detection['kind'];
  reason: string;
}

const pkg = (value: unknown) => JSON.stringify(value);

const RULES: RuleCase[] = [
  // Framework config files, without the framework in package.json.
  { when: 'only next.config.mjs names Next.js', files: { 'next.config.mjs': 'export default {};', 'package.json': pkg({ dependencies: { react: '18' } }) }, kind: 'fullstack', reason: 'Next.js' },
  { when: 'only nuxt.config.ts names Nuxt', files: { 'nuxt.config.ts': 'export default defineNuxtConfig({});', 'package.json': pkg({ dependencies: { vue: '3' } }) }, kind: 'fullstack', reason: 'Nuxt' },
  { when: 'only remix.config.js names Remix', files: { 'remix.config.js': 'module.exports = {};', 'package.json': pkg({ dependencies: { react: '18' } }) }, kind: 'fullstack', reason: 'Remix' },
  { when: 'only package.json names Astro', files: { 'package.json': pkg({ dependencies: { astro: '4' } }) }, kind: 'frontend', reason: 'Astro' },
  { when: 'only astro.config.mjs names Astro', files: { 'astro.config.mjs': 'export default {};', 'src/pages/index.astro': '' }, kind: 'frontend', reason: 'Astro' },
  { when: 'angular.json sits next to a package.json without @angular/core', files: { 'angular.json': '{}', 'package.json': pkg({ devDependencies: { typescript: '5' } }) }, kind: 'frontend', reason: 'Angular' },
  { when: 'vite.config.ts sits next to React without vite in package.json', files: { 'vite.config.ts': '', 'package.json': pkg({ dependencies: { react: '18' } }) }, kind: 'frontend', reason: 'Vite + React' },
  { when: 'a folder is named like a config file', files: { 'vite.config.ts/README.md': '', 'index.html': '<html></html>' }, kind: 'frontend', reason: 'Static HTML' },
  { when: 'a bare build tool sits next to a real UI framework of another language', files: { 'package.json': pkg({ devDependencies: { vite: '5' } }), 'Cargo.toml': '[dependencies]\nyew = "0.21"\n' }, kind: 'frontend', reason: 'Yew' },

  // Workspaces.
  { when: 'workspaces come with bun.lock', files: { 'package.json': pkg({ workspaces: ['packages/*'] }), 'bun.lock': '' }, kind: 'monorepo', reason: 'Bun workspaces' },
  { when: 'workspaces come with bun.lockb', files: { 'package.json': pkg({ workspaces: ['packages/*'] }), 'bun.lockb': '' }, kind: 'monorepo', reason: 'Bun workspaces' },
  { when: 'go.work sits next to go.mod', files: { 'go.work': 'go 1.22\n\nuse ./api\n', 'go.mod': 'module example.com/x\n' }, kind: 'monorepo', reason: 'Go workspace' },
  { when: 'the Cargo workspace table is indented and its members have no spaces around =', files: { 'Cargo.toml': '  [workspace]\n  members=["crates/*"]\n' }, kind: 'monorepo', reason: 'Cargo workspace' },
  { when: 'Cargo.toml has a [workspace] table without members (a crate that leaves its parent workspace)', files: { 'Cargo.toml': '[package]\nname = "tool"\n\n[workspace]\n# members = ["crates/*"]\n\n[dependencies]\naxum = "0.7"\n' }, kind: 'backend', reason: 'Axum' },
  { when: 'Cargo.toml has members in another table and names [workspace] only in a comment', files: { 'Cargo.toml': '[package]\nname = "tool"\n\n# not a [workspace]: the members below maintain it\n[package.metadata.team]\nmembers = ["alice"]\n\n[dependencies]\naxum = "0.7"\n' }, kind: 'backend', reason: 'Axum' },
  { when: 'pnpm-workspace.yaml holds settings and an empty packages list', files: { 'pnpm-workspace.yaml': 'packages: []\nonlyBuiltDependencies:\n  - esbuild\n', 'package.json': pkg({ dependencies: { express: '4' } }) }, kind: 'backend', reason: 'Express' },
  { when: 'pnpm-workspace.yaml uses more aliases than detection reads', files: { 'pnpm-workspace.yaml': `base: &b {a: 1}\nx: [${Array.from({ length: 20 }, () => '*b').join(', ')}]\n`, 'package.json': pkg({ dependencies: { express: '4' } }) }, kind: 'monorepo', reason: 'pnpm workspace' },

  // Python.
  { when: 'manage.py is the only sign of Django', files: { 'manage.py': '#!/usr/bin/env python\n', 'requirements.txt': 'gunicorn==22.0.0\n' }, kind: 'backend', reason: 'Django' },
  { when: 'a bare requirement carries a comment', files: { 'requirements.txt': 'flask  # the web framework\ngunicorn==22.0.0\n' }, kind: 'backend', reason: 'Flask' },
  { when: 'a bare requirement carries a comment in a file with CRLF line ends', files: { 'requirements.txt': 'flask  # the web framework\r\ngunicorn==22.0.0\r\n' }, kind: 'backend', reason: 'Flask' },
  { when: 'requirements.txt has CRLF line ends and pinned versions', files: { 'requirements.txt': 'uvicorn==0.30.1\r\nfastapi==0.110.0\r\n' }, kind: 'backend', reason: 'FastAPI' },
  { when: 'a requirement is indented', files: { 'requirements.txt': '  flask>=3\n' }, kind: 'backend', reason: 'Flask' },
  { when: 'a Pipfile has CRLF line ends', files: { Pipfile: '[[source]]\r\nurl = "https://pypi.org/simple"\r\n\r\n[packages]\r\nfastapi = "*"\r\n' }, kind: 'backend', reason: 'FastAPI' },
  { when: 'PEP 621 dependencies are one array on one line', files: { 'pyproject.toml': '[project]\nname = "svc"\ndependencies = ["fastapi>=0.110", "uvicorn>=0.30"]\n' }, kind: 'backend', reason: 'FastAPI' },
  { when: 'PEP 621 dependencies are single-quoted', files: { 'pyproject.toml': "[project]\nname = 'svc'\ndependencies = [\n  'flask>=3',\n]\n" }, kind: 'backend', reason: 'Flask' },
  { when: 'a requirement string starts with a space', files: { 'pyproject.toml': '[project]\ndependencies = [" fastapi>=0.110"]\n' }, kind: 'backend', reason: 'FastAPI' },
  { when: 'a Pipfile key has no spaces around =', files: { Pipfile: '[packages]\nflask="*"\n' }, kind: 'backend', reason: 'Flask' },
  { when: 'a Pipfile key opens and closes with different quotes', files: { Pipfile: '[packages]\n"flask\' = "*"\n' }, kind: 'backend', reason: 'Flask' },
  { when: 'a Pipfile dependency is commented out', files: { Pipfile: '[packages]\n# django = "*"\nrequests = "*"\n' }, kind: 'unknown', reason: 'Unrecognised manifest' },
  { when: 'a key named like a framework sits outside the dependency tables', files: { 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.12"\n\n[tool.poetry.scripts]\nsanic = "svc.server:main"\n' }, kind: 'unknown', reason: 'Unrecognised manifest' },
  { when: 'a malformed line that starts like a table header sits in the dependency table', files: { Pipfile: '[packages]\n["requests"], ["pyyaml"]\nflask = "*"\n' }, kind: 'backend', reason: 'Flask' },

  // Rust, and TOML names.
  { when: 'Leptos comes without a server integration', files: { 'Cargo.toml': '[dependencies]\nleptos = "0.6"\n' }, kind: 'frontend', reason: 'Leptos' },
  { when: 'Leptos comes with leptos_actix', files: { 'Cargo.toml': '[dependencies]\nleptos = "0.6"\nleptos_actix = "0.6"\n' }, kind: 'fullstack', reason: 'Leptos' },
  { when: 'Rocket is a dependency', files: { 'Cargo.toml': '[dependencies]\nrocket = "0.5"\n' }, kind: 'backend', reason: 'Rocket' },
  { when: 'Warp is a dependency', files: { 'Cargo.toml': '[dependencies]\nwarp = "0.3"\n' }, kind: 'backend', reason: 'Warp' },
  { when: 'Poem is a dependency', files: { 'Cargo.toml': '[dependencies]\npoem = "3"\n' }, kind: 'backend', reason: 'Poem' },
  { when: 'Dioxus is a dependency', files: { 'Cargo.toml': '[dependencies]\ndioxus = "0.5"\n' }, kind: 'frontend', reason: 'Dioxus' },
  { when: 'a dependency name differs in case and in runs of . and _ (compared as PEP 503 names)', files: { 'Cargo.toml': '[dependencies]\nActix__Web = "4"\n' }, kind: 'backend', reason: 'Actix Web' },
  { when: 'a dependency table header is malformed', files: { 'Cargo.toml': '[package]\nname = "tool"\n\n[dependencies.rocket"]\nversion = "0.5"\n' }, kind: 'unknown', reason: 'Unrecognised manifest' },

  // Go, Ruby, PHP, JVM, Elixir, Dart.
  { when: 'go.mod requires Echo', files: { 'go.mod': 'module example.com/x\n\nrequire github.com/labstack/echo/v4 v4.12.0\n' }, kind: 'backend', reason: 'Echo' },
  { when: 'go.mod requires Fiber', files: { 'go.mod': 'module example.com/x\n\nrequire github.com/gofiber/fiber/v2 v2.52.5\n' }, kind: 'backend', reason: 'Fiber' },
  { when: 'the Gemfile indents a gem, spaces it out, and comments out another', files: { Gemfile: 'source "https://rubygems.org"\n# gem "rails", "~> 7.1"\ngroup :web do\n  gem  "sinatra", "~> 4.0"\nend\n' }, kind: 'backend', reason: 'Sinatra' },
  { when: 'the Gemfile has Hanami', files: { Gemfile: 'gem "hanami", "~> 2.1"\n' }, kind: 'backend', reason: 'Hanami' },
  { when: 'the Gemfile has Roda', files: { Gemfile: "gem 'roda'\n" }, kind: 'backend', reason: 'Roda' },
  { when: 'the Gemfile has Grape', files: { Gemfile: "gem 'grape'\n" }, kind: 'backend', reason: 'Grape' },
  { when: 'the Gemfile has Jekyll', files: { Gemfile: 'gem "jekyll", "~> 4.3"\n' }, kind: 'frontend', reason: 'Jekyll' },
  { when: 'the Gemfile has github-pages', files: { Gemfile: 'gem "github-pages", group: :jekyll_plugins\n' }, kind: 'frontend', reason: 'Jekyll' },
  { when: 'a Gemfile-built Jekyll site sits next to a server', files: { Gemfile: 'gem "jekyll"\n', 'go.mod': 'module example.com/x\n' }, kind: 'backend', reason: 'Go module' },
  { when: 'the Gemfile names no framework', files: { Gemfile: 'gem "rake"\n' }, kind: 'unknown', reason: 'Unrecognised manifest' },
  { when: 'composer.json names the framework in require-dev', files: { 'composer.json': pkg({ require: { php: '^8.2' }, 'require-dev': { 'slim/slim': '^4' } }) }, kind: 'backend', reason: 'Slim' },
  { when: 'build.gradle.kts applies Micronaut', files: { 'build.gradle.kts': 'plugins { id("io.micronaut.application") version "4.4.0" }\n' }, kind: 'backend', reason: 'Micronaut' },
  { when: 'build.gradle applies Ktor', files: { 'build.gradle': "plugins { id 'io.ktor.plugin' version '2.3.12' }\n" }, kind: 'backend', reason: 'Ktor' },
  { when: 'build.gradle applies the Android application plugin', files: { 'build.gradle': "plugins { id 'com.android.application' }\n" }, kind: 'frontend', reason: 'Android app' },
  { when: 'a framework name would only appear by joining two build files', files: { 'build.gradle': '// generated with io.', 'build.gradle.kts': 'ktor-free build\n' }, kind: 'unknown', reason: 'Unrecognised manifest' },
  { when: 'mix.exs has Plug but not Phoenix', files: { 'mix.exs': 'defp deps do\n  [{:plug_cowboy, "~> 2.7"}]\nend\n' }, kind: 'unknown', reason: 'Unrecognised manifest' },
  { when: 'mix.exs spaces out the Phoenix tuple', files: { 'mix.exs': 'defp deps do\n  [{ :phoenix , "~> 1.7"}]\nend\n' }, kind: 'backend', reason: 'Phoenix' },
  { when: 'pubspec.yaml spaces out the Flutter SDK line', files: { 'pubspec.yaml': 'name: app\ndependencies:\n  flutter:\n    sdk:  flutter  \n' }, kind: 'frontend', reason: 'Flutter' },
  { when: 'pubspec.yaml has the Flutter SDK commented out', files: { 'pubspec.yaml': 'name: tool\ndependencies:\n  path: ^1.9.0\n#  flutter:\n#    sdk: flutter\n' }, kind: 'unknown', reason: 'Unrecognised manifest' },
  { when: 'pubspec.yaml names an SDK that only starts with flutter', files: { 'pubspec.yaml': 'name: tool\ndependencies:\n  thing:\n    sdk: fluttering\n' }, kind: 'unknown', reason: 'Unrecognised manifest' },

  // Static sites, folders, other manifests.
  { when: 'hugo.yaml configures Hugo', files: { 'hugo.yaml': 'title: Docs\n' }, kind: 'frontend', reason: 'Hugo' },
  { when: 'hugo.json configures Hugo', files: { 'hugo.json': '{}' }, kind: 'frontend', reason: 'Hugo' },
  { when: 'a Hugo site sits next to a server', files: { 'hugo.toml': 'title = "Docs"\n', 'requirements.txt': 'flask\n' }, kind: 'backend', reason: 'Flask' },
  { when: '_config.yml comes with a _posts folder', files: { '_config.yml': 'title: Blog\n', '_posts/2024-01-01-hello.md': '' }, kind: 'frontend', reason: 'Jekyll' },
  { when: '_config.yml comes without a _posts folder', files: { '_config.yml': 'title: Blog\n' }, kind: 'unknown', reason: 'No manifest found' },
  { when: 'a Jekyll blog sits next to a server', files: { '_config.yml': 'title: Blog\n', '_posts/2024-01-01-hello.md': '', 'requirements.txt': 'flask\n' }, kind: 'backend', reason: 'Flask' },
  { when: 'mkdocs.yml configures MkDocs', files: { 'mkdocs.yml': 'site_name: Docs\n' }, kind: 'frontend', reason: 'MkDocs' },
  { when: 'a server keeps its docs in MkDocs', files: { 'mkdocs.yml': 'site_name: Docs\n', 'requirements.txt': 'fastapi\n' }, kind: 'backend', reason: 'FastAPI' },
  { when: 'there is a frontend folder but no backend folder', files: { 'frontend/index.js': '' }, kind: 'unknown', reason: 'No manifest found' },
  { when: 'a file only contains a project extension in its name', files: { 'App.csproj.user': '<Project/>' }, kind: 'unknown', reason: 'No manifest found' },
  { when: 'a project file ends in a project extension', files: { 'App.csproj': '<Project/>' }, kind: 'unknown', reason: 'Unrecognised manifest' },

  // package.json itself.
  { when: 'package.json is null', files: { 'package.json': 'null' }, kind: 'unknown', reason: 'Invalid package.json' },
  { when: 'package.json is an array', files: { 'package.json': '["express"]' }, kind: 'unknown', reason: 'Invalid package.json' },
  { when: 'a byte-order mark sits inside package.json rather than at its start', files: { 'package.json': '{"dependencies":\uFEFF{"express":"4"}}' }, kind: 'unknown', reason: 'Invalid package.json' },
];

describe('each rule of kind detection, on the smallest root that reaches it', () => {
  for (const rule of RULES) {
    test(`when ${rule.when}, then ${rule.kind} (${rule.reason})`, () => {
      const got = detectFromFiles(rule.files);
      assert.deepEqual({ kind: got.kind, reason: got.reason }, { kind: rule.kind, reason: rule.reason });
    });
  }
});

test('rootFromFiles: leading slashes are dropped, a bare slash names nothing, and a folder stays a folder', () => {
  const root = rootFromFiles({ '//README.md': '', '/': '', 'docs/index.md': '', docs: '' });
  assert.deepEqual(root.entries, [
    { name: 'README.md', type: 'file' },
    { name: 'docs', type: 'dir' },
  ]);
});

test('a go.mod listed at the root but unreadable still makes a Go backend', () => {
  const root = { entries: [{ name: 'go.mod', type: 'file' as const }, { name: 'main.go', type: 'file' as const }], files: {} };
  assert.deepEqual(detectKind(root), { kind: 'backend', reason: 'Go module', origin: null, origin_reason: null });
});

test('a manifest that was read counts even when the entry list does not name it', () => {
  const root = { entries: [{ name: 'cmd', type: 'dir' as const }], files: { 'go.mod': 'module example.com/x\n' } };
  assert.deepEqual(detectKind(root), { kind: 'backend', reason: 'Go module', origin: null, origin_reason: null });
});

test('a package.json of exactly a million characters is still read; text manifests are read up to that length', () => {
  const head = '{"dependencies":{"express":"4"},"pad":"';
  const exact = `${head}${'x'.repeat(1_000_000 - head.length - 2)}"}`;
  assert.equal(exact.length, 1_000_000);
  assert.deepEqual(detectFromFiles({ 'package.json': exact }), { kind: 'backend', reason: 'Express', origin: null, origin_reason: null });
  const longGoMod = `module example.com/x\n// ${'x'.repeat(1_000_000)}\nrequire github.com/gin-gonic/gin v1.10.0\n`;
  assert.deepEqual(detectFromFiles({ 'go.mod': longGoMod }), { kind: 'backend', reason: 'Go module', origin: null, origin_reason: null });
});

test('only an unknown kind says that detection failed', () => {
  assert.ok(!isDetectionFailure({ kind: 'backend', reason: 'Detection failed: GitHub timeout', origin: null, origin_reason: null }));
});

test('when a rule throws, then the kind is an unrecognised manifest and the origin is still decided', () => {
  // A manifest map whose go.mod cannot be read: only the kind rules read it.
  const files = new Proxy<Record<string, string | null>>({ 'package.json': null }, {
    get(target, name) {
      if (name === 'go.mod') throw new Error('unreadable');
      return target[name as string];
    },
  });
  const root = { entries: [{ name: '.bolt', type: 'dir' as const }, { name: 'go.mod', type: 'file' as const }], files };
  assert.deepEqual(detectKind(root), { kind: 'unknown', reason: 'Unrecognised manifest', origin: 'bolt', origin_reason: '.bolt folder' });
});

test('when the origin rules throw, then there is no origin and the kind is still decided', () => {
  // A manifest map whose nested app manifest cannot be read: only the origin rules read it.
  const files = new Proxy<Record<string, string | null>>({ 'go.mod': 'module example.com/x\n' }, {
    get(target, name) {
      if (name === APP_MANIFEST_PATH) throw new Error('unreadable');
      return target[name as string];
    },
  });
  const root = { entries: [{ name: 'go.mod', type: 'file' as const }], files };
  assert.deepEqual(detectKind(root), { kind: 'backend', reason: 'Go module', origin: null, origin_reason: null });
});

test('when a repository without package.json has a .bolt folder, then Bolt made it', () => {
  assert.deepEqual(detectFromFiles({ '.bolt/prompt': 'Build a landing page', 'index.html': '<html></html>' }), {
    kind: 'frontend',
    reason: 'Static HTML',
    origin: 'bolt',
    origin_reason: '.bolt folder',
  });
});

test('when .replit or replit.nix is a folder rather than a file, then Replit is not the origin', () => {
  const folders: Array<Record<string, string>> = [{ '.replit/run.sh': '' }, { 'replit.nix/default.nix': '' }];
  for (const files of folders) {
    assert.equal(detectFromFiles(files).origin, null, JSON.stringify(files));
  }
});
