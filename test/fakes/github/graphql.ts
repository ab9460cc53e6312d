/**
 * The fake GitHub's GraphQL endpoint (`POST /graphql`). Queries are really executed by graphql-js
 * against a subset of GitHub's schema, so a malformed query fails here as it would on GitHub.
 * Each repository is a flat path → content map on a single branch: every revision in an
 * expression (`HEAD:`, `main:`) resolves to the same tree.
 */
import { buildSchema, graphql, GraphQLError } from 'graphql';
import type { ExecutionResult } from 'graphql';

export type FakeRepoLookup = (
  owner: string,
  name: string,
  token: string,
) => { files: Record<string, string> } | null | undefined;

export interface FakeGraphqlRequest {
  /** The bearer token from the `Authorization` header; empty when there was none. */
  token: string;
  body: unknown;
}

export interface FakeGraphqlResponse {
  status: number;
  body: unknown;
}

const schema = buildSchema(`
  type Query {
    repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
  }

  type Repository {
    name: String!
    nameWithOwner: String!
    "A Git object by expression such as HEAD:package.json; null when it does not resolve."
    object(expression: String!): GitObject
  }

  union GitObject = Tree | Blob

  type Tree {
    entries: [TreeEntry!]
  }

  type TreeEntry {
    name: String!
    path: String
    "blob or tree"
    type: String!
  }

  type Blob {
    text: String
    byteSize: Int!
    isBinary: Boolean
    isTruncated: Boolean!
  }
`);

interface Context {
  token: string;
  lookup: FakeRepoLookup;
}

type GitObject =
  | { __typename: 'Tree'; entries: Array<{ name: string; path: string; type: 'blob' | 'tree' }> }
  | { __typename: 'Blob'; text: string; byteSize: number; isBinary: false; isTruncated: false };

function resolveObject(files: Map<string, string>, expression: string): GitObject | null {
  const colon = expression.indexOf(':');
  // A bare revision names a commit, which this fake does not model.
  if (colon === -1) return null;
  const path = expression.slice(colon + 1).replace(/^\/+|\/+$/g, '');
  const blob = files.get(path);
  if (blob !== undefined) {
    return { __typename: 'Blob', text: blob, byteSize: Buffer.byteLength(blob), isBinary: false, isTruncated: false };
  }
  const prefix = path ? `${path}/` : '';
  const entries = new Map<string, 'blob' | 'tree'>();
  for (const file of files.keys()) {
    if (!file.startsWith(prefix)) continue;
    const rest = file.slice(prefix.length);
    const slash = rest.indexOf('/');
    entries.set(slash === -1 ? rest : rest.slice(0, slash), slash === -1 ? 'blob' : 'tree');
  }
  // No entries: a missing path, or the root of an empty repository (HEAD does not resolve there).
  if (entries.size === 0) return null;
  return {
    __typename: 'Tree',
    entries: [...entries]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, type]) => ({ name, path: prefix + name, type })),
  };
}

const rootValue = {
  repository(args: { owner: string; name: string }, ctx: Context) {
    const repo = ctx.lookup(args.owner, args.name, ctx.token);
    if (!repo) {
      throw new GraphQLError(`Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`, {
        extensions: { type: 'NOT_FOUND' },
      });
    }
    const files = new Map(Object.entries(repo.files).map(([path, text]) => [path.replace(/^\/+/, ''), text]));
    return {
      name: args.name,
      nameWithOwner: `${args.owner}/${args.name}`,
      object: ({ expression }: { expression: string }) => resolveObject(files, expression),
    };
  },
};

/** GitHub puts an error's `type` (NOT_FOUND, RATE_LIMITED...) beside its message. */
function formatErrors(result: ExecutionResult) {
  return (result.errors ?? []).map((e) => {
    const json = e.toJSON();
    const type = e.extensions.type;
    return typeof type === 'string' ? { type, ...json } : json;
  });
}

export function createFakeGraphqlHandler(lookup: FakeRepoLookup) {
  return async (req: FakeGraphqlRequest): Promise<FakeGraphqlResponse> => {
    if (!req.token) {
      return {
        status: 401,
        body: {
          message: 'This endpoint requires you to be authenticated.',
          documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
        },
      };
    }
    const body = req.body;
    if (typeof body !== 'object' || body === null || typeof (body as { query?: unknown }).query !== 'string') {
      return { status: 200, body: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] } };
    }
    const { query, variables, operationName } = body as { query: string; variables?: unknown; operationName?: unknown };
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
      return { status: 200, body: { errors: [{ message: 'Variables are invalid JSON.' }] } };
    }
    const result = await graphql({
      schema,
      source: query,
      rootValue,
      contextValue: { token: req.token, lookup } satisfies Context,
      variableValues: (variables as Record<string, unknown> | null | undefined) ?? null,
      operationName: typeof operationName === 'string' ? operationName : null,
    });
    // As the spec says: no `data` when the request failed before execution (syntax, validation).
    return { status: 200, body: { ...('data' in result ? { data: result.data } : {}), ...(result.errors ? { errors: formatErrors(result) } : {}) } };
  };
}

/** The fake GitHub's GraphQL route over its own state: a token sees the files of its account's repositories. */
export function createStateGraphqlHandler(state: {
  accounts: Map<string, { repos: Array<{ name: string; owner: { login: string }; files?: Record<string, string> }> }>;
}) {
  return createFakeGraphqlHandler((owner, name, token) => {
    const repo = state.accounts.get(token)?.repos.find((r) => r.owner.login === owner && r.name === name);
    return repo ? { files: repo.files ?? {} } : undefined;
  });
}
