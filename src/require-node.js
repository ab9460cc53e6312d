/* global process */
/**
 * Preloaded by `npm start` (`node --import`), before any TypeScript source is read: on a Node older
 * than 24, which cannot run the sources, the start ends with one line that names the Node it found.
 * Plain JavaScript on purpose, so any Node runs it.
 */
const found = process.versions.node;
if (Number(found.split('.')[0]) < 24) {
  process.stderr.write(
    `Repositories API cannot start: Node ${found} found at ${process.execPath}, Node 24 or newer is needed (install Node 24, or run \`npm ci\` with development dependencies to get it in node_modules/.bin)\n`,
  );
  process.exit(1);
}
