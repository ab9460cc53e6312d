import { generateRepos } from '../src/fakes/github/index.ts';
import { startFake, startApp, signIn, getRepos, userCacheKeys } from '../bench/support.ts';
const n = Number(process.env.N ?? 100);
const fake = await startFake([{ login: 'u', repos: generateRepos(n, { owner: { login: 'u' }, seed: 1 }) }], 0);
const app = await startApp(fake, { LISTING_CACHE_TTL_SECONDS: '3600', VALIDATE_RESPONSES: 'true' });
const user = await signIn(app.baseUrl, 'u');
const keys = userCacheKeys(user);
const pages = Math.ceil(n / 100);
const pageKeys = Array.from({ length: pages + 1 }, (_, i) => keys.page(i + 1));
await getRepos(app.baseUrl, user.token, { refresh: 'true' });
const { Session } = await import('node:inspector/promises');
const session = new Session(); session.connect();
if (process.env.PROF) { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
const times: number[] = [];
for (let i = 0; i < 300; i++) {
  await app.app.services.cache.del(pageKeys);
  const t = performance.now();
  await getRepos(app.baseUrl, user.token, { refresh: 'true' });
  times.push(performance.now() - t);
}
if (process.env.PROF) { const { profile } = await session.post('Profiler.stop'); (await import('node:fs')).writeFileSync(process.env.PROF, JSON.stringify(profile)); }
times.sort((a, b) => a - b);
console.log('known refresh', n, 'median', times[150]!.toFixed(1), 'ms');
const t2: number[] = [];
for (let i = 0; i < 100; i++) { const t = performance.now(); const r = await fetch(`${fake.baseUrl}/user/repos?per_page=100&page=1`, { headers: { authorization: `bearer ${user.githubToken}` } }); JSON.parse(await r.text()); t2.push(performance.now() - t); }
t2.sort((a, b) => a - b);
console.log('fake alone median', t2[50]!.toFixed(1), 'ms');
await app.close(); await fake.close(); process.exit(0);
