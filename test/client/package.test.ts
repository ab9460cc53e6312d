/**
 * The client package as a frontend team gets it: built from the spec, packed, installed from the tarball
 * into an empty ESM project, type-checked with strict settings the way a Vite app is, and run in plain
 * Node against the Prism mock.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startPrism, type RunningPrism } from '../support/prism.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE = join(ROOT, 'clients/typescript');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const MAX_PACKED_BYTES = 100 * 1024;

interface Packed {
  filename: string;
  size: number;
  files: { path: string }[];
}

/** Strict settings of a Vite app's tsconfig (bundler resolution), plus the stricter flags a team may turn on. */
const VITE_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['src'],
};
/** The same program compiled for plain Node (NodeNext resolution), which is how the test runs it. */
const NODE_TSCONFIG = {
  compilerOptions: { ...VITE_TSCONFIG.compilerOptions, module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: false, outDir: 'out', rootDir: 'src' },
  include: ['src'],
};

const program = (baseUrl: string) => `import { createApiClient, type Schema } from 'repositories-api-client';

const api = createApiClient({ baseUrl: ${JSON.stringify(baseUrl)}, token: 'x' });

const listed = await api.GET('/api/v1/repos', {
  params: { query: { kind: 'frontend', per_page: 30 } },
  headers: { Prefer: 'code=200, example=typical' },
});
if (listed.error) throw new Error(listed.error.code);
const repos: Schema<'Repository'>[] = listed.data.repositories;

const expired = await api.GET('/api/v1/repos', { headers: { Prefer: 'code=401, example=session_expired' } });
const code: Schema<'ProblemCode'> | undefined = expired.error?.code;

console.log(JSON.stringify({ total: listed.data.total, names: repos.map((r) => r.full_name), status: expired.response.status, code }));
`;

const wrongProgram = `import { createApiClient } from 'repositories-api-client';
const api = createApiClient({ baseUrl: 'http://127.0.0.1:1' });
await api.GET('/api/v1/repos', { params: { query: { kind: 'frontends' } } });
`;

function tsc(dir: string, project: string): { ok: boolean; output: string } {
  const result = spawnSync(process.execPath, [TSC, '-p', join(dir, project)], { cwd: dir, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

describe('the client package', () => {
  let prism: RunningPrism | undefined;
  let work = '';
  let packed: Packed | undefined;
  let consumer = '';

  beforeAll(async () => {
    prism = await startPrism('mock');
    work = mkdtempSync(join(tmpdir(), 'client-package-'));
    execFileSync(process.execPath, ['scripts/build-client.ts'], { cwd: ROOT, stdio: 'pipe' });
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: PACKAGE, encoding: 'utf8' });
    [packed] = JSON.parse(out) as Packed[];
    consumer = join(work, 'consumer');
    mkdirSync(join(consumer, 'src'), { recursive: true });
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'picker', private: true, type: 'module' }, null, 2));
    // From npm's cache when it holds openapi-fetch (as after `npm ci` here), from the registry otherwise.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, packed!.filename)], { cwd: consumer, stdio: 'pipe' });
  });
  afterAll(async () => {
    await prism?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('when packed, then it is under 100 kB, ships JavaScript, declarations and a README, and is versioned with the spec', () => {
    assert.ok(packed);
    assert.ok(packed.size < MAX_PACKED_BYTES, `packed size ${packed.size} B`);
    const files = packed.files.map((f) => f.path).sort();
    for (const file of ['README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/schema.d.ts', 'package.json']) assert.ok(files.includes(file), `${file} is not in the package`);
    assert.deepEqual(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), [], 'TypeScript sources in the package');
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
    const spec = parse(readFileSync(join(ROOT, 'openapi/dist/openapi.yaml'), 'utf8')) as { info: { version: string } };
    assert.equal(pkg.version, spec.info.version);
    assert.deepEqual(Object.keys(pkg.dependencies), ['openapi-fetch']);
  });

  it('when installed from the tarball, then openapi-fetch is its one dependency', () => {
    const tree = JSON.parse(execFileSync('npm', ['ls', '--all', '--json'], { cwd: consumer, encoding: 'utf8' })) as {
      dependencies: Record<string, { dependencies?: Record<string, unknown> }>;
    };
    assert.deepEqual(Object.keys(tree.dependencies), ['repositories-api-client']);
    assert.deepEqual(Object.keys(tree.dependencies['repositories-api-client']?.dependencies ?? {}), ['openapi-fetch']);
  });

  it('when a strict ESM project type-checks a program using it, then it compiles, and a wrong parameter value does not', () => {
    assert.ok(prism);
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(VITE_TSCONFIG, null, 2));
    writeFileSync(join(consumer, 'tsconfig.node.json'), JSON.stringify(NODE_TSCONFIG, null, 2));
    writeFileSync(join(consumer, 'src/main.ts'), program(prism.baseUrl));
    const vite = tsc(consumer, 'tsconfig.json');
    assert.ok(vite.ok, vite.output);

    const wrong = join(work, 'wrong');
    mkdirSync(join(wrong, 'src'), { recursive: true });
    writeFileSync(join(wrong, 'tsconfig.json'), JSON.stringify(VITE_TSCONFIG, null, 2));
    writeFileSync(join(wrong, 'src/main.ts'), wrongProgram);
    rmSync(join(wrong, 'node_modules'), { force: true, recursive: true });
    execFileSync('ln', ['-s', join(consumer, 'node_modules'), join(wrong, 'node_modules')]);
    const refused = tsc(wrong, 'tsconfig.json');
    assert.equal(refused.ok, false);
    assert.match(refused.output, /"frontends"/);
  });

  it("when the README's examples are type-checked in a strict project, then each compiles, and the README installs the file npm pack writes", () => {
    assert.ok(packed);
    const readme = readFileSync(join(PACKAGE, 'README.md'), 'utf8');
    assert.ok(readme.includes(`npm install ../path/to/${packed.filename}`), `the README does not install ${packed.filename}`);
    const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    assert.ok(examples.length >= 5, `${examples.length} examples found`);
    const dir = join(work, 'readme');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(VITE_TSCONFIG, null, 2));
    // Each example is a module of its own, as it would be pasted into a file of an app.
    examples.forEach((code, i) => writeFileSync(join(dir, `src/example-${i + 1}.ts`), code));
    rmSync(join(dir, 'node_modules'), { force: true, recursive: true });
    execFileSync('ln', ['-s', join(consumer, 'node_modules'), join(dir, 'node_modules')]);
    const compiled = tsc(dir, 'tsconfig.json');
    assert.ok(compiled.ok, compiled.output);
  });

  it('when the compiled program runs in plain Node against the Prism mock, then it gets the mock states through the client', () => {
    const built = tsc(consumer, 'tsconfig.node.json');
    assert.ok(built.ok, built.output);
    const out = execFileSync(process.execPath, [join(consumer, 'out/main.js')], { cwd: consumer, encoding: 'utf8' });
    const result = JSON.parse(out) as { total: number; names: string[]; status: number; code: string };
    assert.equal(result.status, 401);
    assert.equal(result.code, 'SESSION_EXPIRED');
    assert.ok(result.total > 0);
    assert.ok(result.names.length > 0);
  });
});
