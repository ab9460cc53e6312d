import { readFileSync } from 'node:fs';

/**
 * The service's version: package.json's, which `npm run release:spec` keeps equal to the spec's
 * `info.version` at each release. Read once, from the package the running sources belong to (the
 * built folder holds its package.json too).
 */
export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Versions {
  /** The service's (package.json's). */
  version: string;
  /** The spec's `info.version`: the API this service implements. */
  apiVersion: string;
  /** The Node that runs it (`process.version`). */
  node: string;
}

export function versionsOf(spec: { info: Record<string, unknown> }): Versions {
  return { version: SERVICE_VERSION, apiVersion: String(spec.info.version), node: process.version };
}
