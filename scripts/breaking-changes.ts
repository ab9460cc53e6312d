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

export function compareSpecs(before: object, after: object): SpecComparison {
  const { diffs } = apiCompare(before, after);
  const breaking = [
    ...new Set(
      diffs
        .filter((d) => d.type === 'breaking')
        .filter((d) => !(d.path[0] === 'components' && RESOLVED_INTO_PATHS.has(String(d.path[1]))))
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
