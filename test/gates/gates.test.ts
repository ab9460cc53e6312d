/**
 * The gates, as tests of the run: each runs its npm script, side by side with the others, and fails
 * with the script's whole output.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const GATES: Record<string, string> = {
  typecheck: 'when the code is type-checked with tsc, then it has no error',
  'lint:code': 'when ESLint reads the code, then it reports no error',
  'lint:spec': 'when Redocly and Spectral (OWASP rules) lint the spec, then they report no error',
  'check:generated': 'when the bundle and the types are generated again, then they match the committed files',
  'check:breaking': 'when the spec is compared with its last release, then nothing breaks without a new major version',
};

describe.concurrent('the gates', () => {
  it('npm scripts run on the Node 24 the project brings, whatever Node is on the PATH', async () => {
    const { stdout } = await promisify(execFile)('npm', ['exec', '--', 'node', '--version'], { cwd: ROOT });
    if (!/^v24\./.test(stdout.trim())) throw new Error(`npm scripts run on Node ${stdout.trim()}`);
  });

  for (const [script, name] of Object.entries(GATES)) {
    it(`${script}: ${name}`, { timeout: 180_000 }, async () => {
      try {
        await promisify(execFile)('npm', ['run', '--silent', script], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        throw new Error(`npm run ${script} failed:\n${stdout}${stderr}`, { cause: error });
      }
    });
  }
});
