// Worker of the prepare pool (src/prepare.ts), which owns one face-api wasm instance. Built
// (dist/): imports the compiled prepare-worker-main.js. From sources (the monorepo's tests and
// scripts): registers the TypeScript loader first, then runs prepare-worker-main.ts.
import { existsSync } from 'node:fs';

const built = new URL('./prepare-worker-main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const source = './prepare-worker-main' + '.ts'; // kept out of the build's import rewriting
  await import(source);
}
