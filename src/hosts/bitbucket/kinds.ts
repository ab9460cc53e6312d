/**
 * Kind and origin for Bitbucket repositories, by the same rules as the other hosts (`kind/detect.ts`),
 * read with the `src` endpoints: per repository the root of the main branch (`GET …/src`, which
 * Bitbucket redirects to the head commit's root listing, 100 entries a page, at most two pages),
 * then, at that commit, only the `MANIFEST_PATHS` the root holds and `APP_MANIFEST_PATH` when there
 * is an `apps` folder, at most `maxFiles` of them (in that order). A repository costs at most
 * 2 + `maxFiles` requests; detections are kept by the detection service like every host's.
 *
 * Never throws: a repository that cannot be read comes back as a "Detection failed" unknown, and
 * after a rate limit nothing more is asked.
 */
import { APP_MANIFEST_PATH, detectKind, detectionFailed, emptyRepository, MANIFEST_PATHS, readFailureReason, untilRateLimited } from '../../kind/detect.ts';
import type { DetectionReader } from '../../kind/service.ts';
import type { Detection } from '../../store/types.ts';
import type { BitbucketClient } from './client.ts';

export interface BitbucketKindReaderOptions {
  /** Requests in flight at once (default: the client's bound). */
  concurrency?: number;
  /** Files read per repository besides its root (default 4). */
  maxFiles?: number;
  /** Pages of the root listing read (default 2: 200 entries). */
  maxRootPages?: number;
}

const HOST = 'Bitbucket';

export function createBitbucketKindReader(
  client: Pick<BitbucketClient, 'readRoot' | 'readFile' | 'concurrency'>,
  options: BitbucketKindReaderOptions = {},
): DetectionReader {
  const concurrency = Math.max(1, options.concurrency ?? client.concurrency);
  const maxFiles = Math.max(0, options.maxFiles ?? 4);
  const maxRootPages = Math.max(1, options.maxRootPages ?? 2);
  const appsFolder = APP_MANIFEST_PATH.slice(0, APP_MANIFEST_PATH.indexOf('/'));

  return async (token, repos) => {
    const out = new Map<number, Detection>();
    const send = untilRateLimited(concurrency, HOST);

    const detect = async (owner: string, name: string): Promise<Detection> => {
      try {
        const root = await send(() => client.readRoot(token, owner, name, maxRootPages));
        if (root === null) return emptyRepository();
        const present: string[] = MANIFEST_PATHS.filter((path) => root.entries.some((e) => e.name === path && e.type === 'file'));
        if (root.entries.some((e) => e.name === appsFolder && e.type === 'dir')) present.push(APP_MANIFEST_PATH);
        const files: Record<string, string | null> = {};
        await Promise.all(
          present.slice(0, maxFiles).map(async (path) => {
            files[path] = await send(() => client.readFile(token, owner, name, root.commit, path));
          }),
        );
        return detectKind({ entries: root.entries, files });
      } catch (error) {
        return detectionFailed(readFailureReason(error, HOST));
      }
    };

    const unique = [...new Map(repos.map((r) => [r.id, r])).values()];
    await Promise.all(
      unique.map(async (repo) => {
        out.set(repo.id, await detect(repo.owner, repo.name));
      }),
    );
    return out;
  };
}
