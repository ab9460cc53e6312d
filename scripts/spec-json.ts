/**
 * Writes the bundled spec as JSON beside the YAML (`openapi/dist/openapi.json`): the app loads that one,
 * since parsing the YAML took about 200 ms of each start and JSON.parse takes 1 ms. Run by `npm run
 * bundle`; `npm run check:generated` fails when it no longer matches the YAML.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const SPEC_YAML = fileURLToPath(new URL('../openapi/dist/openapi.yaml', import.meta.url));
export const SPEC_JSON = fileURLToPath(new URL('../openapi/dist/openapi.json', import.meta.url));

/** The JSON text for a bundled spec's YAML text: what `openapi/dist/openapi.json` must hold. */
export function specJson(yamlText: string): string {
  return `${JSON.stringify(parse(yamlText), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SPEC_JSON, specJson(readFileSync(SPEC_YAML, 'utf8')));
}
