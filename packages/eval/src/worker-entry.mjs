// The entry of eval's worker threads (src/protocols/ijba-worker.mjs, src/protocols/ijbc-parse-worker.mjs,
// src/scores/pair-dots-worker.mjs): runs the worker's main module `name`, next to the calling stub. Built (dist/):
// the compiled `<name>.js`. From sources (the monorepo's tests and scripts): registers the TypeScript loader first,
// then runs `<name>.ts`.
import { existsSync } from 'node:fs';

/** Imports `./<name>.js` relative to `callerUrl` when it exists, else `./<name>.ts` through tsx. */
export async function runWorkerMain(callerUrl, name) {
  const built = new URL(`./${name}.js`, callerUrl);
  if (existsSync(built)) return import(built.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`./${name}.ts`, callerUrl).href);
}
