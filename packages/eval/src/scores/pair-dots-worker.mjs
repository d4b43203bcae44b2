// Worker of the pair-dots pool (pair-dots-pool.ts), which owns one wasm SIMD instance. Built (dist/):
// imports the compiled pair-dots-worker-main.js. From sources (the monorepo's tests and scripts):
// registers the TypeScript loader first, then runs pair-dots-worker-main.ts.
import { existsSync } from 'node:fs';

const built = new URL('./pair-dots-worker-main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const source = './pair-dots-worker-main' + '.ts'; // kept out of the build's import rewriting
  await import(source);
}
