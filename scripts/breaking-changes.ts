/**
 * What the breaking-change gate decides, apart from git: which changes between two bundled specs break
 * existing clients, and whether the new spec's major version says so.
 */
import { apiCompare, type Diff } from 'api-smart-diff';

export interface SpecComparison {
  /** One line per breaking change, as api-smart-diff describes it. */
  breaking: string[];
  beforeVersion: string;
  afterVersion: string;
  /** Breaking changes are allowed only when the major version went up. */
  majorBumped: boolean;
  ok: boolean;
}

interface SpecLike {
  info?: { version?: unknown };
}

// api-smart-diff follows every $ref into the operations that use it, so a change to a shared schema,
// response, parameter or example is reported there, with a description; its copy under components is noise.
const RESOLVED_INTO_PATHS = new Set(['schemas', 'responses', 'parameters', 'examples', 'requestBodies', 'headers']);

const versionOf = (spec: SpecLike) => String(spec.info?.version ?? '');

function majorOf(version: string): number | undefined {
  const major = /^v?(\d+)(\.|$)/.exec(version)?.[1];
  return major === undefined ? undefined : Number(major);
}

function describe(diff: Diff): string {
  const where = diff.path.map(String).join(' › ');
  return diff.description ? `${diff.description} (at ${where})` : `${diff.action} at ${where}`;
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

/** `node`, or what its local `$ref` (a chain of them) points at in `doc`. */
function deref(doc: object, node: unknown): unknown {
  let current = node;
  for (let hops = 0; hops < 20 && isNode(current) && typeof current.$ref === 'string' && current.$ref.startsWith('#/'); hops++) {
    const steps = current.$ref.slice(2).split('/').map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
    current = steps.reduce<unknown>((at, step) => (isNode(at) ? at[step] : undefined), doc);
  }
  return current;
}

/** The node at a diff's path in `doc`, following `$ref`s on the way, as api-smart-diff does. */
function nodeAt(doc: object, path: readonly unknown[]): unknown {
  let node: unknown = doc;
  for (let i = 0; i < path.length; i++) {
    node = deref(doc, node);
    if (!isNode(node)) return undefined;
    // api-smart-diff reads a `$ref` it merged with its siblings as `allOf: [the target]`.
    if (path[i] === 'allOf' && !('allOf' in node) && path[i + 1] === 0) {
      i++;
      continue;
    }
    node = node[String(path[i])];
  }
  return deref(doc, node);
}

/**
 * A schema the new spec marks `x-extensible: true` tells clients to expect more: an enum value added to it,
 * or its `maxItems` raised, does not break them (the `Provider` enum grows by one value per git host).
 */
function extendsExtensible(d: Diff, after: object): boolean {
  const key = d.path.at(-1);
  const enumAdded = d.action === 'add' && d.path.at(-2) === 'enum';
  const maxRaised = d.action === 'replace' && key === 'maxItems' && typeof d.before === 'number' && typeof d.after === 'number' && d.after > d.before;
  if (!enumAdded && !maxRaised) return false;
  const schema = nodeAt(after, d.path.slice(0, enumAdded ? -2 : -1));
  return isNode(schema) && schema['x-extensible'] === true;
}

export function compareSpecs(before: object, after: object): SpecComparison {
  // As written: the comparison may rewrite what it reads.
  const written = structuredClone(after);
  const { diffs } = apiCompare(before, after);
  const breaking = [
    ...new Set(
      diffs
        .filter((d) => d.type === 'breaking')
        .filter((d) => !(d.path[0] === 'components' && RESOLVED_INTO_PATHS.has(String(d.path[1]))))
        .filter((d) => !extendsExtensible(d, written))
        .map(describe),
    ),
  ];
  const beforeVersion = versionOf(before as SpecLike);
  const afterVersion = versionOf(after as SpecLike);
  const beforeMajor = majorOf(beforeVersion);
  const afterMajor = majorOf(afterVersion);
  const majorBumped = beforeMajor !== undefined && afterMajor !== undefined && afterMajor > beforeMajor;
  return { breaking, beforeVersion, afterVersion, majorBumped, ok: breaking.length === 0 || majorBumped };
}
