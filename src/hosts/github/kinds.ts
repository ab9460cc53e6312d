/**
 * Reads many GitHub repositories' roots in few requests: one GraphQL query per batch, one aliased
 * `repository` per repo, each asking for the root tree, every path in `MANIFEST_PATHS` and
 * `APP_MANIFEST_PATH` (the one file below the root that origin detection reads).
 *
 * One round trip per batch, not two: asking for a path that does not exist costs GitHub a cheap
 * null lookup, while first reading the trees and then only the manifests that exist would double
 * the latency a listing waits for. 1,000 repositories take 25 requests at the default batch size
 * (GitHub stops a query after 10 s; 25–50 repositories per query stay well inside that).
 *
 * Detection failures never throw: a batch that fails (HTTP error, GraphQL error, rate limit,
 * timeout) yields `unknown` "Detection failed: ..." for its repositories, and the rest go on.
 */
import { APP_MANIFEST_PATH, detectKind, detectionFailed, emptyRepository, MANIFEST_PATHS } from '../../kind/detect.ts';
import type { RepoEntry } from '../../kind/detect.ts';
import type { Detection } from '../../store/types.ts';
import { limiter } from '../pages.ts';
import { GitHubClient, type GraphqlAnswer } from './client.ts';
import type { RepoRef } from '../types.ts';

export { graphqlUrl } from './client.ts';

export type { RepoRef } from '../types.ts';

export interface GitHubBatchOptions {
  /** The REST base URL, as for the REST client: `https://api.github.com`, `https://ghe.example.com/api/v3`. */
  apiUrl: string;
  /** The client whose requests and error mapping the batches go through; one for `apiUrl` when omitted. */
  client?: GitHubClient;
  token: string;
  /** Per request. */
  timeoutMs: number;
  repos: RepoRef[];
  batchSize?: number;
  /** Batches in flight at once. */
  concurrency?: number;
}

export const DEFAULT_BATCH_SIZE = 40;
export const DEFAULT_CONCURRENCY = 4;

const REPO_FRAGMENT = [
  'fragment DetectRoot on Repository {',
  '  root: object(expression: "HEAD:") { ... on Tree { entries { name type } } }',
  ...MANIFEST_PATHS.map((path, i) => `  m${i}: object(expression: ${JSON.stringify(`HEAD:${path}`)}) { ... on Blob { text } }`),
  `  app: object(expression: ${JSON.stringify(`HEAD:${APP_MANIFEST_PATH}`)}) { ... on Blob { text } }`,
  '}',
].join('\n');

/** One query for a batch; owners and names travel as variables, never spliced into the text. */
export function buildBatchQuery(repos: RepoRef[]): { query: string; variables: Record<string, string> } {
  const variables: Record<string, string> = {};
  const params: string[] = [];
  const fields: string[] = [];
  repos.forEach((repo, i) => {
    variables[`o${i}`] = repo.owner;
    variables[`n${i}`] = repo.name;
    params.push(`$o${i}: String!, $n${i}: String!`);
    fields.push(`  r${i}: repository(owner: $o${i}, name: $n${i}) { ...DetectRoot }`);
  });
  return { query: `query DetectKinds(${params.join(', ')}) {\n${fields.join('\n')}\n}\n${REPO_FRAGMENT}`, variables };
}

export async function detectGitHubBatch(opts: GitHubBatchOptions): Promise<Map<number, Detection>> {
  const unique = [...new Map(opts.repos.map((r) => [r.id, r])).values()];
  const size = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const batches: RepoRef[][] = [];
  for (let i = 0; i < unique.length; i += size) batches.push(unique.slice(i, i + size));

  const out = new Map<number, Detection>();
  const client = opts.client ?? new GitHubClient({ apiUrl: opts.apiUrl, timeoutMs: opts.timeoutMs });
  // Once GitHub says we are rate limited, the remaining batches are not sent: they would fail too.
  let rateLimited = false;
  const bound = limiter(opts.concurrency ?? DEFAULT_CONCURRENCY);
  await Promise.all(
    batches.map((batch) =>
      bound(async () => {
        const results = rateLimited ? failAll(batch, RATE_LIMIT) : await runBatch(client, opts.token, batch);
        if (results.rateLimited) rateLimited = true;
        for (const [id, detection] of results.detections) out.set(id, detection);
      }),
    ),
  );
  return out;
}

/** A reader for the detection service, bound to one GitHub (public or Enterprise). */
export function createGitHubReader(config: Omit<GitHubBatchOptions, 'token' | 'repos'>) {
  return (token: string, repos: RepoRef[]) => detectGitHubBatch({ ...config, token, repos });
}

const RATE_LIMIT = 'GitHub rate limit';

interface BatchResult {
  detections: Map<number, Detection>;
  rateLimited: boolean;
}

function failAll(batch: RepoRef[], why: string): BatchResult {
  return { detections: new Map(batch.map((r) => [r.id, detectionFailed(why)])), rateLimited: why === RATE_LIMIT };
}

async function runBatch(client: GitHubClient, token: string, batch: RepoRef[]): Promise<BatchResult> {
  const answer = await client.graphql(token, buildBatchQuery(batch));
  if (!answer.ok) return failAll(batch, failureReason(answer));
  const { data, errors } = answer;
  if (!isRecord(data)) return failAll(batch, errors.some(isRateLimitError) ? RATE_LIMIT : 'GitHub error');

  const detections = new Map<number, Detection>();
  batch.forEach((repo, i) => {
    const alias = `r${i}`;
    const node = data[alias];
    if (!(alias in data)) {
      detections.set(repo.id, detectionFailed('GitHub error'));
    } else if (isRecord(node)) {
      detections.set(repo.id, detectFromNode(node));
    } else {
      // Null: not found (or not visible to this token), unless GitHub says something else went wrong.
      const error = errors.find((e) => Array.isArray(e.path) && e.path[0] === alias);
      const type = error ? errorType(error) : 'NOT_FOUND';
      detections.set(
        repo.id,
        type === 'NOT_FOUND'
          ? emptyRepository()
          : detectionFailed(isRateLimitError(error ?? {}) ? RATE_LIMIT : type === 'FORBIDDEN' ? 'access denied' : 'GitHub error'),
      );
    }
  });
  return { detections, rateLimited: errors.some(isRateLimitError) };
}

function detectFromNode(node: Record<string, unknown>): Detection {
  const root = node.root;
  // No tree at HEAD: the repository has no commits yet.
  if (!isRecord(root) || !Array.isArray(root.entries)) return emptyRepository();
  const entries: RepoEntry[] = root.entries.filter(isRecord).flatMap((e) =>
    // Submodules (`commit`) are folders from where we stand.
    typeof e.name === 'string' ? [{ name: e.name, type: e.type === 'blob' ? 'file' : 'dir' } as const] : [],
  );
  const files: Record<string, string | null> = {};
  MANIFEST_PATHS.forEach((path, i) => {
    const blob = node[`m${i}`];
    files[path] = isRecord(blob) && typeof blob.text === 'string' ? blob.text : null;
  });
  const app = node.app;
  files[APP_MANIFEST_PATH] = isRecord(app) && typeof app.text === 'string' ? app.text : null;
  return detectKind({ entries, files });
}

/** A failed batch, in the words of a detection's reason; the rate limit as the REST calls recognise it. */
function failureReason(failure: Extract<GraphqlAnswer, { ok: false }>): string {
  if (failure.problem.code === 'RATE_LIMITED') return RATE_LIMIT;
  if (failure.problem.code === 'UPSTREAM_TIMEOUT') return 'GitHub timeout';
  const { status } = failure;
  if (status === 401) return 'GitHub token rejected';
  if (status === 403) return 'access denied';
  if (status !== undefined) return status >= 500 ? 'GitHub unavailable' : `GitHub answered HTTP ${status}`;
  return failure.malformed ? 'GitHub error' : 'GitHub unreachable';
}

const errorType = (e: Record<string, unknown>): string => {
  const ext = isRecord(e.extensions) ? e.extensions.type : undefined;
  return typeof e.type === 'string' ? e.type : typeof ext === 'string' ? ext : '';
};

/** GitHub has answered both `RATE_LIMITED` and `RATE_LIMIT` (with `code: graphql_rate_limit`). */
const isRateLimitError = (e: Record<string, unknown>) =>
  ['RATE_LIMITED', 'RATE_LIMIT'].includes(errorType(e)) || e.code === 'graphql_rate_limit';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
