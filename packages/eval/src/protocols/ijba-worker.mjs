// Worker of the split-parallel IJB-A evaluator (src/protocols/ijba-parallel.ts). Built (dist/): imports
// the compiled ijba-worker-main.js. From sources (the monorepo's tests and scripts): registers the
// TypeScript loader first, then runs ijba-worker-main.ts.
import { existsSync } from 'node:fs';

const built = new URL('./ijba-worker-main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const source = './ijba-worker-main' + '.ts'; // kept out of the build's import rewriting
  await import(source);
}
