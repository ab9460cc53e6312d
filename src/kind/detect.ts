/**
 * Kind detection: what a repository is, decided from its root alone (entry names plus the contents
 * of the few manifests in `MANIFEST_PATHS`), so one GraphQL query can gather everything for many
 * repositories at once.
 *
 * The rules are our own. @vercel/frameworks was evaluated and is not used: it names deploy presets
 * rather than frontend/backend roles, several of its detectors read files below the root
 * (`src/main.ts`, `src/main.rs`) that would cost extra requests, it has no Rails, Laravel, Symfony,
 * Spring or Phoenix, and it pins js-yaml 3.13.1 (GHSA-mh29-5h37-fv8m). Its catalogue was only a
 * cross-check for the dependency names that mark each JavaScript framework.
 *
 * Choices, applied in this order:
 * 1. No entries → unknown "Empty repository".
 * 2. Workspace tooling (Turbo, Lerna, Nx, Rush, pnpm/npm/Yarn/Bun workspaces, go.work, a Cargo
 *    workspace) → monorepo, whatever app sits at the root: the repository holds several projects.
 * 3. Frameworks that render on a server and ship a client (Next.js, Nuxt, Remix, React Router
 *    framework mode, SvelteKit, SolidStart, TanStack Start, RedwoodJS, Meteor, Astro with a server
 *    adapter, Leptos with a server integration) → fullstack, even when configured for a static
 *    export, because that setting lives in config files we do not fetch. SvelteKit with
 *    `@sveltejs/adapter-static` is the exception: the adapter is a dependency, so it is visible.
 * 4. Server-side web frameworks in any language → backend, including the ones that render HTML
 *    (Rails, Laravel, Django, Phoenix): the server is what the repository is. Any `go.mod` is a
 *    backend: Go repositories are overwhelmingly services.
 * 5. A backend plus a UI framework in the same root (one package.json, or a server manifest next to
 *    a package.json) → fullstack, reason "<frontend> + <backend>". A bare build tool (Vite without a
 *    UI library), a docs generator or plain HTML does not count: next to a server it is that
 *    server's asset pipeline.
 * 6. Otherwise a frontend (SPA toolchains, static site generators, mobile apps) → frontend.
 * 7. `frontend/` and `backend/`-style folders with nothing decisive at the root → fullstack.
 * 8. Otherwise unknown, saying why.
 *
 * The same read also says where a repository came from: the AI app builder that made it, from
 * files the builder leaves in the project (see `detectOrigin` for the signals and their order).
 * A builder's name in a README is not a signal: READMEs are never read.
 */
import pLimit from 'p-limit';
import { parse as parseYaml } from 'yaml';
import { ApiProblem } from '../contract/problem.ts';
import type { RepositoryKind } from '../contract/types.ts';
import type { Detection, Origin } from '../store/types.ts';

export interface RepoEntry {
  name: string;
  type: 'file' | 'dir';
}

/** A repository's root: entry names, and the manifests' contents (`null`/missing = absent or unreadable). */
export interface RepoRoot {
  entries: RepoEntry[];
  files: Record<string, string | null>;
}

/** The root files whose contents detection reads; everything else is decided from entry names. */
export const MANIFEST_PATHS = [
  'package.json',
  'pnpm-workspace.yaml',
  'requirements.txt',
  'pyproject.toml',
  'Pipfile',
  'go.mod',
  'Gemfile',
  'composer.json',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'Cargo.toml',
  'mix.exs',
  'pubspec.yaml',
] as const;

/**
 * The one file below the root that detection reads: where monorepos most often keep their web app,
 * so that an app builder's project moved into a monorepo is still recognised. It is read in the
 * same request as the manifests (a missing path costs GitHub a null lookup).
 */
export const APP_MANIFEST_PATH = 'apps/web/package.json';

const FAILURE_PREFIX = 'Detection failed: ';

/** An unknown that says detection could not run; such results are not kept for long. */
export const detectionFailed = (why: string): Detection => {
  const reason = `${FAILURE_PREFIX}${why}`;
  return { kind: 'unknown', reason, origin: null, origin_reason: reason };
};

/** A file request a reader did not send, because the host had already said it is rate limited. */
export class NotSent extends Error {
  override name = 'NotSent';
}

/** The reason a reader of a host without batch reads gives for a repository it stopped on after a rate limit. */
export const rateLimitReason = (hostName: string): string => `${hostName} rate limit`;

/**
 * A per-request sender for a reader: `concurrency` requests at once, and once the host has answered
 * a rate limit, none more (each later call fails with `NotSent` without a request).
 */
export function untilRateLimited(concurrency: number, hostName: string): <T>(call: () => Promise<T>) => Promise<T> {
  const limit = pLimit(Math.max(1, concurrency));
  let rateLimited = false;
  return (call) =>
    limit(async () => {
      if (rateLimited) throw new NotSent(rateLimitReason(hostName));
      try {
        return await call();
      } catch (error) {
        if (error instanceof ApiProblem && error.code === 'RATE_LIMITED') rateLimited = true;
        throw error;
      }
    });
}

/**
 * A failed file request in the words of a detection's reason (`detectionFailed`), for hosts whose
 * readers send a request per file: rate limit (or `NotSent` after one), access denied, timeout, or
 * the host unavailable. `hostName` is the host's display name.
 */
export function readFailureReason(error: unknown, hostName: string): string {
  if (error instanceof NotSent) return rateLimitReason(hostName);
  if (!(error instanceof ApiProblem)) return `${hostName} error`;
  switch (error.code) {
    case 'RATE_LIMITED':
      return rateLimitReason(hostName);
    case 'PROVIDER_AUTH':
      return 'access denied';
    case 'UPSTREAM_TIMEOUT':
      return `${hostName} timeout`;
    default:
      return `${hostName} unavailable`;
  }
}

/** A repository with no commits (or none visible): nothing to analyse, and nothing made it. */
export const emptyRepository = (): Detection => ({ kind: 'unknown', reason: 'Empty repository', origin: null, origin_reason: null });

export const isDetectionFailure = (d: Detection): boolean => d.kind === 'unknown' && d.reason.startsWith(FAILURE_PREFIX);

/** Builds the root view of a flat path → content map (what a reader or a fake repository holds). */
export function rootFromFiles(files: Record<string, string>): RepoRoot {
  const types = new Map<string, RepoEntry['type']>();
  for (const raw of Object.keys(files)) {
    const path = raw.replace(/^\/+/, '');
    const slash = path.indexOf('/');
    if (slash === -1) {
      if (path && !types.has(path)) types.set(path, 'file');
    } else if (slash > 0) {
      types.set(path.slice(0, slash), 'dir');
    }
  }
  const entries = [...types].map(([name, type]) => ({ name, type })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const manifests: Record<string, string | null> = {};
  for (const path of [...MANIFEST_PATHS, APP_MANIFEST_PATH]) manifests[path] = files[path] ?? null;
  return { entries, files: manifests };
}

/** Manifests bigger than this are not parsed (text ones are read up to it): detection stays cheap. */
const MAX_MANIFEST_CHARS = 1_000_000;

type FindingKind = Exclude<RepositoryKind, 'monorepo' | 'unknown'>;

interface Finding {
  kind: FindingKind;
  reason: string;
  /** A frontend that does not pair with a backend into fullstack: a bare build tool, static site or docs. */
  weak?: boolean;
}

type KindResult = Pick<Detection, 'kind' | 'reason'>;
type OriginResult = Pick<Detection, 'origin' | 'origin_reason'>;

const front = (reason: string, weak = false): Finding => ({ kind: 'frontend', reason, weak });
const back = (reason: string): Finding => ({ kind: 'backend', reason });
const full = (reason: string): Finding => ({ kind: 'fullstack', reason });
const unknown = (reason: string): KindResult => ({ kind: 'unknown', reason });

/** Decides a repository's kind and origin. Pure, and never throws whatever the manifests hold. */
export function detectKind(root: RepoRoot): Detection {
  const view = new RootView(root);
  let kind: KindResult;
  let origin: OriginResult;
  try {
    kind = decide(view);
  } catch {
    // Only reachable through a bug in the rules; a listing must never fail because of one repository.
    kind = unknown('Unrecognised manifest');
  }
  try {
    origin = detectOrigin(view);
  } catch {
    origin = NO_ORIGIN;
  }
  return { kind: kind.kind, reason: kind.reason, origin: origin.origin, origin_reason: origin.origin_reason };
}

export const detectFromFiles = (files: Record<string, string>): Detection => detectKind(rootFromFiles(files));

class RootView {
  private readonly names = new Set<string>();
  private readonly dirs = new Set<string>();
  private readonly root: RepoRoot;

  constructor(root: RepoRoot) {
    this.root = root;
    for (const e of root.entries) {
      this.names.add(e.name);
      if (e.type === 'dir') this.dirs.add(e.name);
    }
  }
  get isEmpty(): boolean {
    return this.names.size === 0;
  }
  has(name: string): boolean {
    return this.names.has(name) || typeof this.root.files[name] === 'string';
  }
  hasDir(name: string): boolean {
    return this.dirs.has(name);
  }
  hasFile(name: string): boolean {
    return this.root.entries.some((e) => e.type === 'file' && e.name === name);
  }
  hasFileMatching(re: RegExp): boolean {
    return this.root.entries.some((e) => e.type === 'file' && re.test(e.name));
  }
  /** A framework config file such as `vite.config.ts`. */
  hasConfig(base: string): boolean {
    return this.hasFileMatching(new RegExp(`^${base}\\.config\\.(?:js|cjs|mjs|ts|cts|mts)$`));
  }
  text(name: string): string | null {
    const raw = this.root.files[name];
    return typeof raw === 'string' ? raw.slice(0, MAX_MANIFEST_CHARS) : null;
  }
  /** Parsed JSON object; `'invalid'` when present but unreadable, too big, or not an object. */
  json(name: string): Record<string, unknown> | 'invalid' | null {
    if (!this.has(name)) return null;
    return parseJsonObject(this.root.files[name]);
  }
  /** A file below the root that was read (`APP_MANIFEST_PATH`), parsed; null when absent or unreadable. */
  nestedJson(path: string): Record<string, unknown> | null {
    const raw = this.root.files[path];
    if (typeof raw !== 'string') return null;
    const json = parseJsonObject(raw);
    return json === 'invalid' ? null : json;
  }
}

function parseJsonObject(raw: string | null | undefined): Record<string, unknown> | 'invalid' {
  if (typeof raw !== 'string' || raw.length > MAX_MANIFEST_CHARS) return 'invalid';
  try {
    const value: unknown = JSON.parse(raw.replace(/^\uFEFF/, ''));
    return isRecord(value) ? value : 'invalid';
  } catch {
    return 'invalid';
  }
}

function decide(root: RootView): KindResult {
  if (root.isEmpty) return unknown('Empty repository');

  const pkg = readPackageJson(root);
  const mono = monorepo(root, pkg);
  if (mono) return { kind: 'monorepo', reason: mono };

  const findings = [
    javascript(root, pkg),
    python(root),
    go(root),
    ruby(root),
    php(root),
    jvm(root),
    rust(root),
    elixir(root),
    dart(root),
    staticSite(root),
  ].filter((f): f is Finding => f !== undefined);

  const fullstack = findings.find((f) => f.kind === 'fullstack');
  if (fullstack) return { kind: 'fullstack', reason: fullstack.reason };
  const backend = findings.find((f) => f.kind === 'backend');
  const frontend = findings.find((f) => f.kind === 'frontend' && !f.weak) ?? findings.find((f) => f.kind === 'frontend');
  if (backend && frontend && !frontend.weak) return { kind: 'fullstack', reason: `${frontend.reason} + ${backend.reason}` };
  if (backend) return { kind: 'backend', reason: backend.reason };
  if (frontend) return { kind: 'frontend', reason: frontend.reason };

  if (splitFolders(root)) return { kind: 'fullstack', reason: 'Frontend and backend folders' };

  if (pkg === 'invalid') return unknown('Invalid package.json');
  const otherManifest = hasOtherManifest(root);
  if (pkg && pkg.runtimeDeps === 0 && !otherManifest) return unknown('Only dev tooling in package.json');
  if (pkg || otherManifest) return unknown('Unrecognised manifest');
  return unknown('No manifest found');
}

// --- Origin: the AI app builder that made the repository -----------------------------------------

const NO_ORIGIN: OriginResult = { origin: null, origin_reason: null };

/**
 * Packages that a builder puts in the projects it makes, and that nothing else uses. Each one was
 * checked against public repositories that the builder exported:
 * - `lovable-tagger`: Lovable's Vite plugin (`componentTagger`) that tags components for its visual
 *   editor; Lovable projects import it in `vite.config.ts`, so it is in `package.json` too (the
 *   package alone is evidence: the Vite config is not read).
 * - `@base44/vite-plugin`, `@base44/sdk`: Base44's Vite plugin and the client of its backend, in the
 *   apps Base44 exports (whose README says "This app was created automatically by Base44").
 * - `tempo-devtools`: Tempo's editor bridge, initialised in the entry file of the apps it makes.
 */
const BUILDER_PACKAGES: Array<[dependency: string, origin: Origin]> = [
  ['lovable-tagger', 'lovable'],
  ['@base44/vite-plugin', 'base44'],
  ['@base44/sdk', 'base44'],
  ['tempo-devtools', 'tempo'],
];

/** The package name v0 gives every project it exports (a Next.js app otherwise like any other). */
const V0_PACKAGE_NAME = 'my-v0-project';

/**
 * Where a repository came from, in this order:
 * 1. A builder's package in the root `package.json` (Lovable, Base44, Tempo), or v0's package name:
 *    these are baked into the app the builder made, whatever happened to it afterwards.
 * 2. A `.bolt/` folder (Bolt keeps the project's template and prompt there).
 * 3. A `.replit` or `replit.nix` file (Replit's run and environment configuration). Last among the
 *    root signals: Replit also writes them into any project opened there, so a project another
 *    builder made and that was later run on Replit is reported as that builder's.
 * 4. The same package signals in `apps/web/package.json`, reported with that path: a builder's app
 *    moved into a monorepo.
 * Otherwise none. A builder's template rewritten since is still reported: the reason names the
 * evidence, so a reader can judge it.
 */
function detectOrigin(root: RootView): OriginResult {
  const pkg = root.json('package.json');
  const fromRoot = pkg && pkg !== 'invalid' ? packageOrigin(pkg) : undefined;
  if (fromRoot) return fromRoot;
  if (root.hasDir('.bolt')) return { origin: 'bolt', origin_reason: '.bolt folder' };
  if (root.hasFile('.replit')) return { origin: 'replit', origin_reason: '.replit file' };
  if (root.hasFile('replit.nix')) return { origin: 'replit', origin_reason: 'replit.nix file' };
  const app = root.nestedJson(APP_MANIFEST_PATH);
  const fromApp = app ? packageOrigin(app) : undefined;
  if (fromApp) {
    const folder = APP_MANIFEST_PATH.slice(0, APP_MANIFEST_PATH.lastIndexOf('/'));
    return { origin: fromApp.origin, origin_reason: `${folder}: ${fromApp.origin_reason}` };
  }
  return NO_ORIGIN;
}

function packageOrigin(pkg: Record<string, unknown>): OriginResult | undefined {
  for (const [dependency, origin] of BUILDER_PACKAGES) {
    for (const section of ['devDependencies', 'dependencies'] as const) {
      if (depNames(pkg[section]).includes(dependency)) return { origin, origin_reason: `${dependency} in ${section}` };
    }
  }
  if (pkg.name === V0_PACKAGE_NAME) return { origin: 'v0', origin_reason: `package named ${V0_PACKAGE_NAME}` };
  return undefined;
}

// --- JavaScript -------------------------------------------------------------------------------

interface PackageInfo {
  deps: Set<string>;
  runtimeDeps: number;
  workspaces: boolean;
}

function readPackageJson(root: RootView): PackageInfo | 'invalid' | null {
  const json = root.json('package.json');
  if (json === null || json === 'invalid') return json;
  const runtime = depNames(json.dependencies);
  const deps = new Set([...runtime, ...depNames(json.devDependencies)]);
  const ws = json.workspaces;
  // `workspaces` is an array of globs (npm, Yarn, Bun) or Yarn's `{ packages: [...] }`.
  const globs = Array.isArray(ws) ? ws : isRecord(ws) && Array.isArray(ws.packages) ? ws.packages : [];
  return { deps, runtimeDeps: runtime.length, workspaces: globs.length > 0 };
}

const depNames = (value: unknown): string[] => (isRecord(value) ? Object.keys(value) : []);

/** Frameworks that are fullstack on their own (see rule 3). */
const JS_FULLSTACK: Array<[dependency: string, reason: string]> = [
  ['next', 'Next.js'],
  ['nuxt', 'Nuxt'],
  ['nuxt3', 'Nuxt'],
  ['@remix-run/dev', 'Remix'],
  ['@remix-run/node', 'Remix'],
  ['@react-router/dev', 'React Router'],
  ['@solidjs/start', 'SolidStart'],
  ['@tanstack/react-start', 'TanStack Start'],
  ['@tanstack/solid-start', 'TanStack Start'],
  ['@redwoodjs/core', 'RedwoodJS'],
  ['blitz', 'Blitz'],
  ['@analogjs/platform', 'Analog'],
];

const ASTRO_SERVER_ADAPTERS = ['@astrojs/node', '@astrojs/vercel', '@astrojs/netlify', '@astrojs/cloudflare'];

/** Frontend toolchains whose name is the best reason; checked before UI libraries. */
const JS_FRONTEND: Array<[dependency: string, reason: string]> = [
  ['@angular/core', 'Angular'],
  ['react-scripts', 'Create React App'],
  ['gatsby', 'Gatsby'],
  ['@docusaurus/core', 'Docusaurus'],
  ['vitepress', 'VitePress'],
  ['@vue/cli-service', 'Vue CLI'],
  ['expo', 'Expo'],
  ['react-native', 'React Native'],
];

const UI_LIBRARIES: Array<[dependency: string, name: string]> = [
  ['react', 'React'],
  ['vue', 'Vue'],
  ['svelte', 'Svelte'],
  ['solid-js', 'Solid'],
  ['preact', 'Preact'],
  ['lit', 'Lit'],
];

/** Server frameworks; the opinionated ones come first because they depend on the plain ones. */
const JS_BACKEND: Array<[dependency: string, reason: string]> = [
  ['@nestjs/core', 'NestJS'],
  ['@adonisjs/core', 'AdonisJS'],
  ['@feathersjs/feathers', 'Feathers'],
  ['@loopback/core', 'LoopBack'],
  ['@strapi/strapi', 'Strapi'],
  ['sails', 'Sails'],
  ['fastify', 'Fastify'],
  ['express', 'Express'],
  ['koa', 'Koa'],
  ['hono', 'Hono'],
  ['@hapi/hapi', 'hapi'],
  ['elysia', 'Elysia'],
  ['@apollo/server', 'Apollo Server'],
  ['apollo-server', 'Apollo Server'],
  ['restify', 'restify'],
];

function javascript(root: RootView, pkg: PackageInfo | 'invalid' | null): Finding | undefined {
  const deps = pkg && pkg !== 'invalid' ? pkg.deps : new Set<string>();
  const dep = (name: string) => deps.has(name);
  const pick = (table: Array<[string, string]>) => table.find(([name]) => dep(name))?.[1];

  const meta = pick(JS_FULLSTACK);
  if (meta) return full(meta);
  if (root.hasConfig('next')) return full('Next.js');
  if (root.hasConfig('nuxt')) return full('Nuxt');
  if (root.hasConfig('remix')) return full('Remix');
  if (dep('@sveltejs/kit')) return dep('@sveltejs/adapter-static') ? front('SvelteKit (static)') : full('SvelteKit');
  if (root.hasDir('.meteor')) return full('Meteor');
  if (dep('astro') || root.hasConfig('astro')) {
    return ASTRO_SERVER_ADAPTERS.some(dep) ? full('Astro (server)') : front('Astro');
  }

  const ui = pick(UI_LIBRARIES);
  let frontend: Finding | undefined;
  const toolchain = pick(JS_FRONTEND) ?? (root.has('angular.json') ? 'Angular' : undefined);
  if (toolchain) frontend = front(toolchain);
  else if (dep('vite') || root.hasConfig('vite')) frontend = ui ? front(`Vite + ${ui}`) : front('Vite', true);
  else if (ui) frontend = front(ui);

  const server = pick(JS_BACKEND);
  if (frontend && server) return frontend.weak ? back(server) : full(`${frontend.reason} + ${server}`);
  return frontend ?? (server ? back(server) : undefined);
}

// --- Monorepos --------------------------------------------------------------------------------

function monorepo(root: RootView, pkg: PackageInfo | 'invalid' | null): string | undefined {
  if (root.has('turbo.json')) return 'Turbo monorepo';
  // Lerna repositories often carry an nx.json too (Lerna runs on Nx), so Lerna is checked first.
  if (root.has('lerna.json')) return 'Lerna monorepo';
  if (root.has('nx.json')) return 'Nx monorepo';
  if (root.has('rush.json')) return 'Rush monorepo';
  if (pnpmWorkspace(root)) return 'pnpm workspace';
  if (pkg && pkg !== 'invalid' && pkg.workspaces) {
    if (root.has('yarn.lock')) return 'Yarn workspaces';
    if (root.has('bun.lock') || root.has('bun.lockb')) return 'Bun workspaces';
    return 'npm workspaces';
  }
  if (root.has('go.work')) return 'Go workspace';
  const cargo = root.text('Cargo.toml');
  if (cargo && /^\s*\[workspace\]/m.test(cargo) && /^\s*members\s*=/m.test(cargo)) return 'Cargo workspace';
  return undefined;
}

/**
 * Since pnpm 10 a single-package repository may keep settings in `pnpm-workspace.yaml`; only a
 * non-empty `packages` list makes it a workspace. Unreadable content keeps the file name's meaning.
 */
function pnpmWorkspace(root: RootView): boolean {
  if (!root.has('pnpm-workspace.yaml')) return false;
  const raw = root.text('pnpm-workspace.yaml');
  if (raw === null) return true;
  try {
    const doc: unknown = parseYaml(raw, { logLevel: 'error', maxAliasCount: 16 });
    return isRecord(doc) && Array.isArray(doc.packages) && doc.packages.length > 0;
  } catch {
    return true;
  }
}

// --- Other ecosystems -------------------------------------------------------------------------

const PYTHON: Array<[pkg: string, reason: string]> = [
  ['django', 'Django'],
  ['fastapi', 'FastAPI'],
  ['flask', 'Flask'],
  ['litestar', 'Litestar'],
  ['starlette', 'Starlette'],
  ['sanic', 'Sanic'],
  ['aiohttp', 'aiohttp'],
  ['tornado', 'Tornado'],
  ['pyramid', 'Pyramid'],
];

function python(root: RootView): Finding | undefined {
  const names = new Set<string>([
    ...requirementNames(root.text('requirements.txt')),
    ...tomlDependencyNames(root.text('pyproject.toml')),
    ...tomlDependencyNames(root.text('Pipfile')),
  ]);
  if (root.has('manage.py')) names.add('django');
  const hit = PYTHON.find(([name]) => names.has(name));
  return hit ? back(hit[1]) : undefined;
}

function go(root: RootView): Finding | undefined {
  if (!root.has('go.mod')) return undefined;
  const mod = root.text('go.mod') ?? '';
  if (mod.includes('github.com/gin-gonic/gin')) return back('Gin');
  if (mod.includes('github.com/labstack/echo')) return back('Echo');
  if (mod.includes('github.com/gofiber/fiber')) return back('Fiber');
  return back('Go module');
}

function ruby(root: RootView): Finding | undefined {
  const gemfile = root.text('Gemfile');
  if (!gemfile) return undefined;
  const gems = new Set([...gemfile.matchAll(/^\s*gem\s+["']([^"']+)["']/gm)].map((m) => m[1]));
  if (gems.has('rails')) return back('Rails');
  if (gems.has('hanami')) return back('Hanami');
  if (gems.has('sinatra')) return back('Sinatra');
  if (gems.has('roda')) return back('Roda');
  if (gems.has('grape')) return back('Grape');
  if (gems.has('jekyll') || gems.has('github-pages')) return front('Jekyll', true);
  return undefined;
}

const PHP: Array<[pkg: string, reason: string]> = [
  ['laravel/framework', 'Laravel'],
  ['laravel/lumen-framework', 'Lumen'],
  ['symfony/framework-bundle', 'Symfony'],
  ['slim/slim', 'Slim'],
  ['cakephp/cakephp', 'CakePHP'],
  ['codeigniter4/framework', 'CodeIgniter'],
  ['yiisoft/yii2', 'Yii'],
];

function php(root: RootView): Finding | undefined {
  const json = root.json('composer.json');
  if (json === null || json === 'invalid') return undefined;
  const pkgs = new Set([...depNames(json.require), ...depNames(json['require-dev'])]);
  const hit = PHP.find(([name]) => pkgs.has(name));
  return hit ? back(hit[1]) : undefined;
}

function jvm(root: RootView): Finding | undefined {
  const build = ['pom.xml', 'build.gradle', 'build.gradle.kts'].map((f) => root.text(f) ?? '').join('\n');
  if (build.includes('org.springframework.boot')) return back('Spring Boot');
  if (build.includes('io.quarkus')) return back('Quarkus');
  if (build.includes('io.micronaut')) return back('Micronaut');
  if (build.includes('io.ktor')) return back('Ktor');
  if (build.includes('com.android.application')) return front('Android app');
  return undefined;
}

function rust(root: RootView): Finding | undefined {
  const crates = tomlDependencyNames(root.text('Cargo.toml'));
  // Leptos with a server integration renders on the server too; alone it is a client-side app.
  if (crates.has('leptos')) return crates.has('leptos-axum') || crates.has('leptos-actix') ? full('Leptos') : front('Leptos');
  if (crates.has('axum')) return back('Axum');
  if (crates.has('actix-web')) return back('Actix Web');
  if (crates.has('rocket')) return back('Rocket');
  if (crates.has('warp')) return back('Warp');
  if (crates.has('poem')) return back('Poem');
  if (crates.has('yew')) return front('Yew');
  if (crates.has('dioxus')) return front('Dioxus');
  return undefined;
}

function elixir(root: RootView): Finding | undefined {
  const mix = root.text('mix.exs');
  return mix && /\{\s*:phoenix\s*,/.test(mix) ? back('Phoenix') : undefined;
}

function dart(root: RootView): Finding | undefined {
  const pubspec = root.text('pubspec.yaml');
  return pubspec && /^\s+sdk:\s*flutter\s*$/m.test(pubspec) ? front('Flutter') : undefined;
}

/** Sites recognisable by their root files alone; weak, so a backend's docs folder stays a backend. */
function staticSite(root: RootView): Finding | undefined {
  if (root.has('hugo.toml') || root.has('hugo.yaml') || root.has('hugo.json')) return front('Hugo', true);
  if (root.has('_config.yml') && root.hasDir('_posts')) return front('Jekyll', true);
  if (root.has('mkdocs.yml')) return front('MkDocs', true);
  if (root.has('index.html')) return front('Static HTML', true);
  return undefined;
}

const FRONT_FOLDERS = ['frontend', 'client', 'web', 'webapp', 'ui'];
const BACK_FOLDERS = ['backend', 'server', 'api'];

function splitFolders(root: RootView): boolean {
  return FRONT_FOLDERS.some((d) => root.hasDir(d)) && BACK_FOLDERS.some((d) => root.hasDir(d));
}

/** Build files that show there is a project here, though not one we classify. */
const OTHER_MANIFESTS = [
  'setup.py',
  'setup.cfg',
  'CMakeLists.txt',
  'Makefile',
  'meson.build',
  'build.sbt',
  'Package.swift',
  'deno.json',
  'deno.jsonc',
  'stack.yaml',
  'rebar.config',
  'dune-project',
];

function hasOtherManifest(root: RootView): boolean {
  return (
    MANIFEST_PATHS.some((p) => p !== 'package.json' && root.has(p)) ||
    OTHER_MANIFESTS.some((p) => root.has(p)) ||
    root.hasFileMatching(/\.(?:csproj|fsproj|sln|cabal|gemspec|nimble)$/)
  );
}

// --- Manifest scanners ------------------------------------------------------------------------

/** Python package names compare case-insensitively with `-`, `_` and `.` equivalent (PEP 503). */
const normalise = (name: string) => name.toLowerCase().replace(/[._]+/g, '-');

const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~^;@].*)?$/;

function requirementNames(text: string | null): string[] {
  if (!text) return [];
  const names: string[] = [];
  for (const raw of text.split('\n')) {
    // No `$`: on a CRLF line `.` stops before the CR, which trim() then drops.
    const m = REQUIREMENT.exec(raw.replace(/\s+#.*/, '').trim());
    if (m?.[1]) names.push(normalise(m[1]));
  }
  return names;
}

const DEPENDENCY_SECTION = /(?:^|\.)(?:dependencies|dev-dependencies|build-dependencies|packages|dev-packages)$/;

/**
 * Dependency names in a TOML manifest (pyproject.toml, Pipfile, Cargo.toml) without a TOML parser:
 * keys of `[...dependencies]`/`[packages]` tables, `[dependencies.NAME]` headers, and quoted
 * requirement strings in arrays (PEP 621 `dependencies = ["fastapi>=0.110"]`). A stray match on
 * another quoted string is harmless: only framework names are looked up.
 */
function tomlDependencyNames(text: string | null): Set<string> {
  const names = new Set<string>();
  if (!text) return names;
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      const table = /(?:^|\.)(?:dependencies|dev-dependencies)\.([A-Za-z0-9_.-]+)$/.exec(section);
      if (table?.[1]) names.add(normalise(table[1]));
      continue;
    }
    if (DEPENDENCY_SECTION.test(section)) {
      const key = /^["']?([A-Za-z0-9][A-Za-z0-9._-]*)["']?\s*=/.exec(line);
      if (key?.[1]) names.add(normalise(key[1]));
    }
    for (const quoted of line.matchAll(/"([^"]*)"|'([^']*)'/g)) {
      const m = REQUIREMENT.exec((quoted[1] ?? quoted[2] ?? '').trim());
      if (m?.[1]) names.add(normalise(m[1]));
    }
  }
  return names;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
