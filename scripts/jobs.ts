/**
 * A small pool for the processes of a test run (gates and test files): a few at a time, in the order
 * given, each one's output kept and printed whole when it ends, so parallel output never interleaves.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, resolve as resolvePath } from 'node:path';

export interface Job {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Stopped with every process it started, and failed, when it runs longer than this. */
  timeoutMs?: number;
}

export interface Outcome {
  job: Job;
  ok: boolean;
  seconds: number;
  output: string;
}

const SCRIPTS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

/** A package script's command line as npm runs it (node_modules/.bin first on PATH), without starting npm. */
export function scriptJob(script: string): Job {
  const line = SCRIPTS[script];
  if (!line) throw new Error(`package.json has no script "${script}"`);
  return {
    name: script,
    command: 'sh',
    args: ['-c', line],
    env: { ...process.env, PATH: `${resolvePath('node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}` },
  };
}

/** Process groups still running: each job leads its own, so that stopping it stops what it started too. */
const running = new Set<number>();
const stopGroup = (pid: number) => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const pid of running) stopGroup(pid);
    process.exit(130);
  });
}

export function runJob(job: Job): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(job.command, job.args, { stdio: ['ignore', 'pipe', 'pipe'], env: job.env ?? process.env, detached: true });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let output = '';
    // Decoded as a stream, so a character split between two chunks stays whole.
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.on('error', (error) => (output += `\n✖ ${job.name} could not be started: ${error.message}\n`));
    let timedOut = false;
    const timer = job.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          if (pid !== undefined) stopGroup(pid);
        }, job.timeoutMs)
      : undefined;
    child.on('close', (code) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      if (timedOut) output += `\n✖ ${job.name} was stopped after ${(job.timeoutMs ?? 0) / 1000} s\n`;
      resolve({ job, ok: code === 0 && !timedOut, seconds: (performance.now() - started) / 1000, output });
    });
  });
}

/** Runs the jobs `atOnce` at a time in the given order; `done` sees each outcome as it ends. */
export async function runPool(jobs: Job[], atOnce: number, done: (outcome: Outcome) => void): Promise<Outcome[]> {
  if (!Number.isInteger(atOnce) || atOnce < 1) throw new Error(`processes at once must be a whole number of at least 1, not ${atOnce}`);
  const queue = [...jobs];
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const outcome = await runJob(job);
        outcomes.push(outcome);
        done(outcome);
      }
    }),
  );
  if (outcomes.length !== jobs.length) throw new Error(`${jobs.length} jobs, ${outcomes.length} outcomes`);
  return outcomes;
}
