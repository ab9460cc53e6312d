/**
 * The fake GitLab's GraphQL endpoint (`POST /api/graphql`): queries are executed by graphql-js against
 * the small part of GitLab's schema that kind detection reads (`projects(ids:)`, a repository's root
 * `tree` and `blobs(paths:)`), so a malformed query fails here as it would on GitLab. Each project is
 * one branch: every `ref` resolves to the same files.
 */
import { buildSchema, graphql } from 'graphql';
import type { FakeProject } from './types.ts';

const schema = buildSchema(`
  type Query {
    projects(ids: [ID!], membership: Boolean, first: Int, after: String): ProjectConnection
  }
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type ProjectConnection { nodes: [Project], pageInfo: PageInfo! }
  type Project { id: ID!, fullPath: ID!, repository: Repository }
  type Repository {
    rootRef: String
    empty: Boolean!
    exists: Boolean!
    tree(path: String = "", ref: String, recursive: Boolean = false): Tree
    blobs(paths: [String!]!, ref: String): RepositoryBlobConnection
  }
  enum EntryType { tree, blob, commit }
  type Tree { blobs(first: Int): BlobConnection!, trees(first: Int): TreeEntryConnection!, submodules(first: Int): SubmoduleConnection! }
  type BlobConnection { nodes: [Blob] }
  type Blob { name: String!, path: String!, type: EntryType! }
  type TreeEntryConnection { nodes: [TreeEntry] }
  type TreeEntry { name: String!, path: String!, type: EntryType! }
  type SubmoduleConnection { nodes: [Submodule] }
  type Submodule { name: String!, path: String!, type: EntryType! }
  type RepositoryBlobConnection { nodes: [RepositoryBlob] }
  type RepositoryBlob { name: String!, path: String!, rawTextBlob: String, size: Int }
`);

/** GitLab caps a connection's page at 100 nodes. */
const MAX_PAGE = 100;

/** The root's entries of a flat path → content map: files, folders, and nothing deeper. */
function rootEntries(files: Record<string, string>) {
  const blobs: string[] = [];
  const trees = new Set<string>();
  for (const path of Object.keys(files)) {
    const slash = path.indexOf('/');
    if (slash === -1) blobs.push(path);
    else trees.add(path.slice(0, slash));
  }
  return { blobs: blobs.sort(), trees: [...trees].sort() };
}

function repositoryOf(project: FakeProject) {
  const files = project.files ?? {};
  const empty = project.default_branch === null;
  return {
    rootRef: project.default_branch,
    empty,
    exists: true,
    tree: () => {
      if (empty) return null;
      const { blobs, trees } = rootEntries(files);
      const page = (names: string[], first: number | undefined, type: string) => ({
        nodes: names.slice(0, Math.min(first ?? MAX_PAGE, MAX_PAGE)).map((name) => ({ name, path: name, type })),
      });
      return {
        blobs: ({ first }: { first?: number }) => page(blobs, first, 'blob'),
        trees: ({ first }: { first?: number }) => page(trees, first, 'tree'),
        submodules: () => ({ nodes: [] }),
      };
    },
    blobs: ({ paths }: { paths: string[] }) => ({
      nodes: empty
        ? []
        : paths.filter((p) => p in files).map((p) => ({ name: p.split('/').pop(), path: p, rawTextBlob: files[p], size: Buffer.byteLength(files[p] ?? '') })),
    }),
  };
}

/** Runs a query for the account whose projects are `projects`; unknown or unreadable ids are left out, as GitLab does. */
export async function runGraphql(projects: readonly FakeProject[], body: unknown): Promise<{ status: number; body: unknown }> {
  const request = typeof body === 'object' && body !== null ? (body as { query?: unknown; variables?: unknown }) : {};
  if (typeof request.query !== 'string') return { status: 400, body: { errors: [{ message: 'No query string was present' }] } };
  const byId = new Map(projects.map((p) => [p.id, p]));
  const root = {
    projects: ({ ids, first }: { ids?: string[]; first?: number }) => {
      const wanted = (ids ?? projects.map((p) => `gid://gitlab/Project/${p.id}`)).slice(0, Math.min(first ?? MAX_PAGE, MAX_PAGE));
      const nodes = wanted.flatMap((gid) => {
        const id = Number(/^gid:\/\/gitlab\/Project\/(\d+)$/.exec(gid)?.[1]);
        const project = byId.get(id);
        return project ? [{ id: gid, fullPath: `${project.namespace.full_path}/${project.path}`, repository: repositoryOf(project) }] : [];
      });
      return { nodes, pageInfo: { hasNextPage: false, endCursor: null } };
    },
  };
  const result = await graphql({
    schema,
    source: request.query,
    rootValue: root,
    variableValues: typeof request.variables === 'object' && request.variables !== null ? (request.variables as Record<string, unknown>) : {},
  });
  return { status: 200, body: result };
}
