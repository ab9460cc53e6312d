import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { SPEC_FILE } from './contract.ts';
import { freePort } from './ports.ts';

const PRISM = fileURLToPath(new URL('../../node_modules/.bin/prism', import.meta.url));

export interface RunningPrism {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Prism's CLI on the bundled spec: `mock`, or `proxy` in front of an upstream with `--errors`. The mock
 * is stateless, so the run's global setup starts one and every test file uses it.
 */
export async function startPrism(mode: 'mock' | { proxyTo: string }): Promise<RunningPrism> {
  if (mode === 'mock') return { baseUrl: inject('prismMockUrl'), stop: async () => {} };
  return spawnPrism(mode);
}

/** A Prism process of its own, stopped by `stop()`. */
export async function spawnPrism(mode: 'mock' | { proxyTo: string }): Promise<RunningPrism> {
  const port = await freePort();
  const args =
    mode === 'mock'
      ? ['mock', SPEC_FILE, '--host', '127.0.0.1', '--port', String(port)]
      : // The app answers CORS itself; Prism's own headers would mask them.
        ['proxy', SPEC_FILE, mode.proxyTo, '--host', '127.0.0.1', '--port', String(port), '--errors', '--cors=false'];
  const child: ChildProcess = spawn(PRISM, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const baseUrl = `http://127.0.0.1:${port}`;
  // Ready when it says so; a start that fails or takes past its deadline leaves no process behind.
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`prism did not start within 60 s:\n${output}`)), 60_000);
    const read = (d: Buffer) => {
      output += d.toString();
      if (/Prism is listening/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => fail(new Error(`prism exited with ${code}:\n${output}`)));
  });
  return {
    baseUrl,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
