/**
 * What a GitLab listing leaves out, as GitLab lets us count it: projects where the user's role is below
 * the listed minimum (`GITLAB_MIN_ACCESS_LEVEL`). GitLab counts a user's memberships at every role in
 * `X-Total` of `GET /projects?membership=true`; the listing, with `min_access_level`, holds the others.
 */
import type { MissingHint } from '../types.ts';

const ROLES: Record<number, string> = { 10: 'Guest', 15: 'Planner', 20: 'Reporter', 30: 'Developer', 40: 'Maintainer', 50: 'Owner' };

/** GitLab's name of a role (`access_level`), or the number. */
export const roleName = (level: number): string => ROLES[level] ?? `access level ${level}`;

/**
 * The hint for memberships below `minAccessLevel`: `memberships` is GitLab's count of every membership
 * (undefined when GitLab did not count them), `listed` the projects listed. None when nothing is left out.
 * GitLab has no page where a member raises their own role (a maintainer of the project or its group does,
 * on its members page, and which projects they are is not known without listing them): `url` is null.
 */
export function accessLevelHint(input: { memberships: number | undefined; listed: number; minAccessLevel: number }): MissingHint | undefined {
  const role = roleName(input.minAccessLevel);
  const below = input.memberships === undefined ? undefined : input.memberships - input.listed;
  if (below !== undefined && below <= 0) return undefined;
  const what =
    below === undefined
      ? `Projects where your GitLab role is below ${role} are not listed (GitLab did not count them).`
      : `${below} GitLab ${below === 1 ? 'project where your role is' : 'projects where your role is'} below ${role} ${below === 1 ? 'is' : 'are'} not listed.`;
  return {
    code: 'gitlab_access_level',
    message: `${what} A maintainer of ${below === 1 ? 'the project or its group' : 'each project or its group'} can give you the ${role} role.`,
    url: null,
    organizations: [],
  };
}
