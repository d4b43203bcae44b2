/**
 * Shared by every vitest project config: tests run from TypeScript sources, never from `dist/`.
 *
 * Each library package's `exports` lists the custom condition `@interpret-fr/source` first (pointing at
 * `src/*.ts`), before `types`/`import` (pointing at the build in `dist/`). Vite resolves workspace
 * imports with that condition (`resolve.conditions`, `ssr.resolve.conditions`), and child processes and
 * worker threads that tests start (CLIs, the ORT worker pool) inherit it through `NODE_OPTIONS`.
 */
export const SOURCE_CONDITION = '@interpret-fr/source';

const flag = `--conditions=${SOURCE_CONDITION}`;
if (!(process.env.NODE_OPTIONS ?? '').includes(flag)) process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${flag}`.trim();

/** `resolve` + `ssr.resolve` settings that make Vite (and vitest) load workspace packages from `src/`. */
export const sourceResolve = {
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'development|production'], externalConditions: [SOURCE_CONDITION, 'node'] } },
};
