import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The bundled spec: the single file every tool and the app read. */
export const SPEC_PATH = fileURLToPath(new URL('../../openapi/dist/openapi.yaml', import.meta.url));

export type OpenApiDocument = {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
};

let cached: OpenApiDocument | undefined;

/** A fresh deep copy each call: the validator middleware mutates what it is given. */
export function loadSpec(): OpenApiDocument {
  cached ??= parse(readFileSync(SPEC_PATH, 'utf8')) as OpenApiDocument;
  return structuredClone(cached);
}
