/**
 * The fields of a repository, declared once: the spec's `Repository` as a host describes it, in the order
 * every copy of it is written. The listing's answers and the page caches are built from this list; the
 * boundary (`boundary.ts`) writes each field by a rule of its own, in this order (`test/hosts/fields.test.ts`
 * holds it to the list), so every repository the service holds has one shape.
 *
 * Objects are built from it by functions compiled once, each a single object literal: V8 gives every
 * object such a function builds the same hidden class, with its fields in the object itself, and
 * builds it as fast as a literal written by hand, or nearly (1,000 in 32–43 µs against 28–36). Built
 * field by field in a loop over the list, the same objects took 30 to 150 times longer (V8 turns them
 * into dictionaries), and a spread followed by the annotations 8 to 20 times longer.
 * `npm run bench -- --only listing` prints the figures ("object shapes").
 */
import type { Repository } from '../contract/types.ts';
import type { HostRepository } from './types.ts';

export const REPOSITORY_FIELDS = [
  'provider',
  'id',
  'name',
  'full_name',
  'owner',
  'description',
  'private',
  'visibility',
  'fork',
  'archived',
  'html_url',
  'language',
  'size',
  'stargazers_count',
  'watchers_count',
  'default_branch',
  'created_at',
  'updated_at',
  'pushed_at',
  'permissions',
] as const;

export type RepositoryField = (typeof REPOSITORY_FIELDS)[number];

/** What the listing adds to a host's repository: its connection, kind and origin. */
export type AnnotationField = Exclude<keyof Repository, RepositoryField>;

// Fails to compile when the spec's repository gains or loses a field that the list above does not.
const EXACT: [Exclude<keyof HostRepository, RepositoryField>, Exclude<RepositoryField, keyof HostRepository>] extends [never, never] ? true : never = true;
void EXACT;

const NAME = /^[A-Za-z_$][\w$]*$/;

/** A function of `parameters` that returns `expression`, with `bound` in its scope; every name checked to be a plain one. */
function compile<F>(parameters: readonly string[], names: readonly string[], expression: string, bound: Record<string, unknown>): F {
  for (const name of [...parameters, ...names, ...Object.keys(bound)]) {
    if (!NAME.test(name)) throw new Error(`not a plain name: ${name}`);
  }
  const make = new Function(...Object.keys(bound), `return function (${parameters.join(', ')}) {\n  return ${expression};\n};`) as (...values: unknown[]) => F;
  return make(...Object.values(bound));
}

/**
 * A function that returns one object literal: `entries` are its fields in order, each with the
 * JavaScript expression of its value over `parameters`; `bound` names values the expressions use.
 * Only this module's callers write the expressions: they are code, never data from a request or a host.
 */
export function compileLiteral<F extends (...args: never[]) => unknown>(
  parameters: readonly string[],
  entries: ReadonlyArray<readonly [key: string, expression: string]>,
  bound: Record<string, unknown> = {},
): F {
  const body = entries.map(([key, expression]) => `${key}: ${expression}`).join(',\n    ');
  return compile<F>(parameters, entries.map(([key]) => key), `{\n    ${body}\n  }`, bound);
}

/** The same for an array literal: `expressions` are its elements in order. */
export function compileArray<F extends (...args: never[]) => unknown[]>(parameters: readonly string[], expressions: readonly string[], bound: Record<string, unknown> = {}): F {
  return compile<F>(parameters, [], `[\n    ${expressions.join(',\n    ')}\n  ]`, bound);
}
