/**
 * Reads many GitLab projects' roots in few requests, for kind and origin detection: one GraphQL query
 * per batch of projects (`projects(ids:)`, each with its root `tree` and `blobs(paths:)` for every path
 * in `MANIFEST_PATHS` and `APP_MANIFEST_PATH`). Ten projects per query keeps it well inside GitLab's
 * query complexity limit: 1,000 projects take 100 requests.
 *
 * Where GitLab refuses GraphQL (HTTP 403 or 404: an instance or token without it), the batch is read
 * through the REST API instead: the root tree, then each manifest that tree shows.
 *
 * Failures never throw: a batch that fails yields `unknown` "Detection failed: ..." for its projects.
 * A project GitLab no longer shows the user (left out of `projects(ids:)`, or 404 over REST) is read
 * as GitHub's repository that is not found: an empty repository.
 */
import { APP_MANIFEST_PATH, detectKind, detectionFailed, emptyRepository, MANIFEST_PATHS } from '../../kind/detect.ts';
import type { RepoEntry } from '../../kind/detect.ts';
import type { Detection } from '../../store/types.ts';
import { limiter } from '../pages.ts';
import { statusOf, type GitLabClient, type GraphqlAnswer } from './client.ts';

export interface ProjectRef {
  id: number;
}

export interface GitLabBatchOptions {
  client: GitLabClient;
  token: string;
  repos: ProjectRef[];
  /** Projects per GraphQL query (default 10). */
  batchSize?: number;
  /** Batches in flight at once (default 4). */
  concurrency?: number;
}

export const DEFAULT_BATCH_SIZE = 10;
export const DEFAULT_CONCURRENCY = 4;
const PATHS = [...MANIFEST_PATHS, APP_MANIFEST_PATH];
const RATE_LIMIT = 'GitLab rate limit';

export const DETECT_QUERY = `query DetectKinds($ids: [ID!], $first: Int, $paths: [String!]!) {
  projects(ids: $ids, first: $first) {
    nodes {
      id
      repository {
        empty
        tree {
          blobs(first: 100) { nodes { name } }
          trees(first: 100) { nodes { name } }
          submodules(first: 100) { nodes { name } }
        }
        blobs(paths: $paths) { nodes { path rawTextBlob } }
      }
    }
  }
}`;

const gid = (id: number) => `gid://gitlab/Project/${id}`;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nodesOf = (connection: unknown): Record<string, unknown>[] =>
  isRecord(connection) && Array.isArray(connection.nodes) ? connection.nodes.filter(isRecord) : [];

interface BatchResult {
  detections: Map<number, Detection>;
  rateLimited: boolean;
  /** GitLab refused GraphQL itself: the REST API reads this batch and the ones after it. */
  graphqlRefused: boolean;
}

export async function detectGitLabBatch(opts: GitLabBatchOptions): Promise<Map<number, Detection>> {
  const unique = [...new Map(opts.repos.map((r) => [r.id, r])).values()];
  const size = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const batches: ProjectRef[][] = [];
  for (let i = 0; i < unique.length; i += size) batches.push(unique.slice(i, i + size));
  const out = new Map<number, Detection>();
  let rateLimited = false;
  let rest = false;
  const bound = limiter(opts.concurrency ?? DEFAULT_CONCURRENCY);
  await Promise.all(
    batches.map((batch) =>
      bound(async () => {
        let result = rateLimited ? failAll(batch, RATE_LIMIT) : rest ? await restBatch(opts.client, opts.token, batch) : await graphqlBatch(opts.client, opts.token, batch);
        if (result.graphqlRefused) {
          rest = true;
          result = await restBatch(opts.client, opts.token, batch);
        }
        if (result.rateLimited) rateLimited = true;
        for (const [id, detection] of result.detections) out.set(id, detection);
      }),
    ),
  );
  return out;
}

/** A reader for the detection service, bound to one GitLab instance's client. */
export function createGitLabReader(client: GitLabClient, options: Omit<GitLabBatchOptions, 'client' | 'token' | 'repos'> = {}) {
  return (token: string, repos: ProjectRef[]) => detectGitLabBatch({ ...options, client, token, repos });
}

function failAll(batch: ProjectRef[], why: string): BatchResult {
  return { detections: new Map(batch.map((r) => [r.id, detectionFailed(why)])), rateLimited: why === RATE_LIMIT, graphqlRefused: false };
}

async function graphqlBatch(client: GitLabClient, token: string, batch: ProjectRef[]): Promise<BatchResult> {
  const answer = await client.graphql(token, { query: DETECT_QUERY, variables: { ids: batch.map((r) => gid(r.id)), first: batch.length, paths: PATHS } });
  if (!answer.ok) {
    if (answer.status === 403 || answer.status === 404) return { detections: new Map(), rateLimited: false, graphqlRefused: true };
    return failAll(batch, failureReason(answer));
  }
  const projects = isRecord(answer.data) ? answer.data.projects : undefined;
  if (!isRecord(projects)) return failAll(batch, answer.errors.some(isRateLimitError) ? RATE_LIMIT : 'GitLab error');
  const byId = new Map(nodesOf(projects).map((node) => [node.id, node]));
  const detections = new Map<number, Detection>();
  for (const ref of batch) {
    const node = byId.get(gid(ref.id));
    detections.set(ref.id, node ? detectFromNode(node) : emptyRepository());
  }
  return { detections, rateLimited: false, graphqlRefused: false };
}

function detectFromNode(node: Record<string, unknown>): Detection {
  const repository = node.repository;
  if (!isRecord(repository) || repository.empty === true || !isRecord(repository.tree)) return emptyRepository();
  const tree = repository.tree;
  const entries: RepoEntry[] = [
    ...nodesOf(tree.blobs).flatMap((e) => (typeof e.name === 'string' ? [{ name: e.name, type: 'file' as const }] : [])),
    // Submodules are folders from where we stand.
    ...[...nodesOf(tree.trees), ...nodesOf(tree.submodules)].flatMap((e) => (typeof e.name === 'string' ? [{ name: e.name, type: 'dir' as const }] : [])),
  ];
  const texts = new Map(nodesOf(repository.blobs).map((b) => [b.path, typeof b.rawTextBlob === 'string' ? b.rawTextBlob : null]));
  const files: Record<string, string | null> = {};
  for (const path of PATHS) files[path] = texts.get(path) ?? null;
  return detectKind({ entries, files });
}

/** The REST way, for an instance that refuses GraphQL: per project, its root tree, then the manifests in it. */
async function restBatch(client: GitLabClient, token: string, batch: ProjectRef[]): Promise<BatchResult> {
  const detections = new Map<number, Detection>();
  let rateLimited = false;
  await Promise.all(
    batch.map(async (ref) => {
      try {
        const tree = await client.getOptional(token, 'reading a repository root', `/projects/${ref.id}/repository/tree`, { per_page: '100' });
        if (!Array.isArray(tree)) {
          detections.set(ref.id, emptyRepository());
          return;
        }
        const entries: RepoEntry[] = tree
          .filter(isRecord)
          .flatMap((e) => (typeof e.name === 'string' ? [{ name: e.name, type: e.type === 'blob' ? ('file' as const) : ('dir' as const) }] : []));
        const present = new Set(entries.filter((e) => e.type === 'file').map((e) => e.name));
        const wanted = PATHS.filter((path) => present.has(path) || (path === APP_MANIFEST_PATH && entries.some((e) => e.name === 'apps' && e.type === 'dir')));
        const files: Record<string, string | null> = Object.fromEntries(PATHS.map((path) => [path, null]));
        await Promise.all(
          wanted.map(async (path) => {
            const text = await client.getOptional(token, 'reading a manifest', `/projects/${ref.id}/repository/files/${encodeURIComponent(path)}/raw`, { ref: 'HEAD' }, 'text');
            files[path] = typeof text === 'string' ? text : null;
          }),
        );
        detections.set(ref.id, detectKind({ entries, files }));
      } catch (error) {
        const reason = failureReason({ ok: false, problem: error as never, status: statusOf(error) });
        if (reason === RATE_LIMIT) rateLimited = true;
        detections.set(ref.id, detectionFailed(reason));
      }
    }),
  );
  return { detections, rateLimited, graphqlRefused: false };
}

function failureReason(failure: Extract<GraphqlAnswer, { ok: false }>): string {
  const code = (failure.problem as { code?: string } | undefined)?.code;
  if (code === 'RATE_LIMITED') return RATE_LIMIT;
  if (code === 'UPSTREAM_TIMEOUT') return 'GitLab timeout';
  const { status } = failure;
  if (status === 401) return 'GitLab token rejected';
  if (status === 403) return 'access denied';
  if (status !== undefined) return status >= 500 ? 'GitLab unavailable' : `GitLab answered HTTP ${status}`;
  return 'GitLab unreachable';
}

const isRateLimitError = (e: Record<string, unknown>) => typeof e.message === 'string' && /rate limit|too many requests/i.test(e.message);
