/**
 * Where the sandbox's parts listen: one base port (`SANDBOX_PORT`, 3000 by default) and the others
 * derived from it, each movable on its own. Checked before anything is started or opened, so a port in
 * use stops the start with one line that names the part and its variable, and a sandbox already
 * running is not touched.
 */
import { createServer } from 'node:net';

export interface SandboxPart {
  /** As the banner and the error name it. */
  name: string;
  /** The variable that moves this part alone. */
  variable: string;
  host: string;
  port: number;
}

export interface SandboxPorts {
  base: number;
  app: SandboxPart;
  github: SandboxPart;
  gitverse: SandboxPart;
  mock: SandboxPart;
  picker: SandboxPart;
  /** Undefined with METRICS_PORT=off. */
  metrics: SandboxPart | undefined;
}

/** A sandbox setting that is not a port; its message is the one line to print. */
export class SandboxPortError extends Error {}

const LOOPBACK = '127.0.0.1';

/** A port from the environment; 0 (any free port) is allowed for a part, not for the base. */
function portFrom(env: NodeJS.ProcessEnv, variable: string, fallback: number, min = 0, max = 65535): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < min || port > max) throw new SandboxPortError(`${variable}=${JSON.stringify(raw)} is not valid: expected a whole number from ${min} to ${max}`);
  return port;
}

/** The sandbox's ports from the environment: `SANDBOX_PORT` and its offsets, unless a part's own variable says otherwise. */
export function sandboxPorts(env: NodeJS.ProcessEnv = process.env): SandboxPorts {
  const base = portFrom(env, 'SANDBOX_PORT', 3000, 1, 65531);
  const appHost = env.HOST || LOOPBACK;
  const metricsOff = env.METRICS_PORT === 'off';
  return {
    base,
    app: { name: 'the app', variable: 'PORT', host: appHost, port: portFrom(env, 'PORT', base) },
    github: { name: 'the fake GitHub', variable: 'SANDBOX_GITHUB_PORT', host: LOOPBACK, port: portFrom(env, 'SANDBOX_GITHUB_PORT', base + 1) },
    gitverse: { name: 'the fake GitVerse', variable: 'SANDBOX_GITVERSE_PORT', host: LOOPBACK, port: portFrom(env, 'SANDBOX_GITVERSE_PORT', base + 2) },
    mock: { name: 'the Prism mock', variable: 'SANDBOX_MOCK_PORT', host: LOOPBACK, port: portFrom(env, 'SANDBOX_MOCK_PORT', base + 3) },
    picker: { name: 'the reference picker', variable: 'SANDBOX_PICKER_PORT', host: LOOPBACK, port: portFrom(env, 'SANDBOX_PICKER_PORT', base + 5) },
    metrics: metricsOff ? undefined : { name: 'the metrics endpoint', variable: 'METRICS_PORT', host: env.METRICS_HOST || appHost, port: portFrom(env, 'METRICS_PORT', base + 4) },
  };
}

export const partsOf = (ports: SandboxPorts): SandboxPart[] =>
  [ports.app, ports.github, ports.gitverse, ports.mock, ports.metrics, ports.picker].filter((p): p is SandboxPart => p !== undefined);

function canListen(part: SandboxPart): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    probe.listen(part.port, part.host, () => probe.close(() => resolve(undefined)));
  });
}

/** The first part whose port cannot be opened, in one line that names it, its variable and what to do; undefined when all can. */
export async function portProblem(ports: SandboxPorts): Promise<string | undefined> {
  for (const part of partsOf(ports)) {
    const error = await canListen(part);
    if (!error) continue;
    const what = error.code === 'EADDRINUSE' ? 'is in use (another npm run dev?)' : `cannot be opened (${error.code ?? error.message})`;
    return `port ${part.port} for ${part.name} (${part.variable}) on ${part.host} ${what}: stop what holds it, set ${part.variable}, or move every part with SANDBOX_PORT=${ports.base + 100}`;
  }
  return undefined;
}
