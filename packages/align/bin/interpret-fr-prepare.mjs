#!/usr/bin/env node
// `interpret-fr-prepare`: runs the compiled CLI in dist/ (plain JavaScript, no TypeScript loader). This stub exists
// before any build so that package managers can link the bin; in the repository, `pnpm build` makes dist/.
import('../dist/bin.js').catch((e) => {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/bin.js')) {
    process.stderr.write('interpret-fr-prepare: the package is not built (run `pnpm build` at the repository root)\n');
    process.exit(1);
  }
  throw e;
});
