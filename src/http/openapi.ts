import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The bundled spec as JSON (`npm run bundle` writes it beside `openapi.yaml`, which the tools read):
 * JSON.parse takes a millisecond where parsing the YAML took about 200 ms of every start.
 */
export const SPEC_PATH = fileURLToPath(new URL('../../openapi/dist/openapi.json', import.meta.url));

export type OpenApiDocument = {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
};

let cached: OpenApiDocument | undefined;

/** A fresh deep copy each call: the validator middleware mutates what it is given. */
export function loadSpec(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as OpenApiDocument;
  return structuredClone(cached);
}
