/**
 * Part D — Bitbucket Cloud: what a cold listing of 100 repositories costs in requests to Bitbucket,
 * in one workspace and spread over three, and what reading their kinds and origins costs (the `src`
 * root of each, then the manifests it holds), against the fake Bitbucket with the run's latency.
 */
import { performance } from 'node:perf_hooks';
import { BitbucketClient } from '../src/hosts/bitbucket/client.ts';
import { createBitbucketKindReader } from '../src/hosts/bitbucket/kinds.ts';
import { generateBitbucketRepos, startFakeBitbucket } from '../test/fakes/bitbucket/index.ts';
import { KIND_CORPUS } from '../test/fixtures/kind-corpus.ts';
import { heading, say, table } from './support.ts';
import type { RunOptions, TargetResult } from './support.ts';

const SIZE = 100;
const MAX_FILES = 4;

export async function benchBitbucket(opts: RunOptions): Promise<TargetResult[]> {
  const files = (_r: unknown, i: number) => ({ ...KIND_CORPUS[i % KIND_CORPUS.length]?.files });
  const fake = await startFakeBitbucket({ latencyMs: opts.latencyMs, users: [{ login: 'one' }, { login: 'three' }] });
  fake.state.addWorkspace({ slug: 'solo', members: ['one'], repos: generateBitbucketRepos(SIZE, { workspace: 'solo', seed: 11, filesFor: files }) });
  for (const [n, size] of [40, 35, 25].entries()) {
    const slug = `team-${n + 1}`;
    fake.state.addWorkspace({ slug, members: ['three'], repos: generateBitbucketRepos(size, { workspace: slug, seed: 20 + n, filesFor: files }) });
  }
  const client = new BitbucketClient({ apiUrl: fake.baseUrl, timeoutMs: 10_000, concurrency: 4 });
  const reader = createBitbucketKindReader(client, { maxFiles: MAX_FILES });
  heading('Part D — Bitbucket');
  say(`${SIZE} repositories, cold (nothing cached), fake Bitbucket latency ${opts.latencyMs} ms, 4 requests at once; kinds read ${MAX_FILES} manifests at most per repository`);
  try {
    const rows: string[][] = [];
    const results: TargetResult[] = [];
    for (const [login, workspaces] of [['one', 1], ['three', 3]] as const) {
      const token = fake.state.issueTokens(login).access_token;
      fake.state.resetCounters();
      let t0 = performance.now();
      const listing = await client.listRepos(token);
      const listMs = performance.now() - t0;
      const listRequests = fake.state.counters.total;
      fake.state.resetCounters();
      t0 = performance.now();
      const detections = await reader(token, listing.repos.map((r) => ({ id: r.id, owner: r.owner.login, name: r.name })));
      const kindMs = performance.now() - t0;
      const kindRequests = fake.state.counters.total;
      const known = [...detections.values()].filter((d) => d.kind !== 'unknown').length;
      rows.push([`${workspaces} workspace${workspaces === 1 ? '' : 's'}`, String(listing.repos.length), String(listRequests), `${Math.round(listMs)} ms`, String(kindRequests), (kindRequests / listing.repos.length).toFixed(2), `${Math.round(kindMs)} ms`, String(known)]);
      const listTarget = 1 + workspaces;
      results.push(
        { part: 'D', name: `Bitbucket cold listing, ${SIZE} repositories in ${workspaces} workspace(s): requests`, measured: String(listRequests), target: `${listTarget}`, met: listRequests <= listTarget },
        {
          part: 'D',
          name: `Bitbucket kinds of ${SIZE} repositories, cold: requests`,
          measured: String(kindRequests),
          target: `≤ ${SIZE * (2 + MAX_FILES)}`,
          met: listing.repos.length === SIZE && kindRequests <= SIZE * (2 + MAX_FILES),
        },
      );
    }
    say(table(['listed from', 'repositories', 'listing requests', 'listing time', 'kind requests', 'per repository', 'kind time', 'kinds found'], rows));
    say('Listing: one /2.0/user/workspaces page, then one /2.0/repositories/{workspace} page of up to 100 per workspace.');
    say('Kinds: per repository the src redirect and the root listing it leads to, then each manifest the root holds.');
    return results;
  } finally {
    await fake.close();
  }
}
