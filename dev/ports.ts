/**
 * Where the sandbox's parts listen: one base port (`SANDBOX_PORT`, 3000 by default) and the others
 * derived from it, each movable on its own. Checked before anything is started or opened, so a port in
 * use stops the start with one line that names the part and its variable, and a sandbox already
 * running is not touched.
 */
import { createServer } from 'node:net';
import type { Provider } from '../src/contract/types.ts';
import { sandboxHosts } from '../test/fakes/hosts.ts';

export interface SandboxPart {
  /** As the banner and the error name it. */
  name: string;
  /** The variable that moves this part alone. */
  variable: string;
  host: string;
  port: number;
  /** Its place among the parts: its port's default offset from the base port. */
  offset: number;
}

export interface SandboxPorts {
  base: number;
  app: SandboxPart;
  mock: SandboxPart;
  picker: SandboxPart;
  /** Each git host's fake, at the offset its entry in test/fakes/hosts.ts gives. */
  hosts: Record<Provider, SandboxPart>;
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
  const base = portFrom(env, 'SANDBOX_PORT', 3000, 1, 65528);
  const appHost = env.HOST || LOOPBACK;
  const metricsOff = env.METRICS_PORT === 'off';
  const part = (name: string, variable: string, offset: number, host = LOOPBACK): SandboxPart => ({ name, variable, host, port: portFrom(env, variable, base + offset), offset });
  return {
    base,
    app: part('the app', 'PORT', 0, appHost),
    mock: part('the Prism mock', 'SANDBOX_MOCK_PORT', 3),
    picker: part('the reference picker', 'SANDBOX_PICKER_PORT', 5),
    hosts: Object.fromEntries(sandboxHosts().map(([provider, h]) => [provider, part(`the fake ${h.displayName}`, h.port.variable, h.port.offset)])) as Record<Provider, SandboxPart>,
    metrics: metricsOff ? undefined : part('the metrics endpoint', 'METRICS_PORT', 4, env.METRICS_HOST || appHost),
  };
}

/** Every part, in the order of their default ports. */
export const partsOf = (ports: SandboxPorts): SandboxPart[] =>
  [ports.app, ports.mock, ports.metrics, ports.picker, ...Object.values(ports.hosts)].filter((p): p is SandboxPart => p !== undefined).sort((a, b) => a.offset - b.offset);

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
