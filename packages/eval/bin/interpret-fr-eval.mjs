#!/usr/bin/env node
// `interpret-fr-eval`: runs the compiled CLI in dist/ (plain JavaScript, no TypeScript loader). This stub exists
// before any build so that package managers can link the bin; in the repository, `pnpm build` makes dist/.
//
// `ijba` and `ijbc`, which score on worker threads, run with V8's garbage collection on each thread itself
// (`--single-threaded-gc`): its concurrent GC helper threads otherwise compete with the scoring threads for the cores
// (IJB-A, 10 real-size splits, 2 cores: ≈ 1 CPU-s and ≈ 0.5 s wall less). They also start with a 64 MB old-space
// limit and without the idle-time memory reducer (`--initial-old-space-size=64 --no-memory-reducer`): a short batch
// process whose threads allocate tens of MB per split otherwise runs a full mark-compact every split or two (IJB-A:
// 14 → 6 mark-compacts, ≈ 0.2 CPU-s). V8 takes these flags only at start, so without them the stub runs itself
// again with them, forwarding SIGINT / SIGTERM / SIGHUP and the exit status (INTERPRET_FR_EVAL_CONCURRENT_GC=1: the
// default collector, in this process). Other commands and --help start directly.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const threaded = (args[0] === 'ijba' || args[0] === 'ijbc') && !args.includes('--help') && !args.includes('-h');
if (threaded && !process.execArgv.includes('--single-threaded-gc') && process.env.INTERPRET_FR_EVAL_CONCURRENT_GC !== '1') {
  const gcFlags = ['--single-threaded-gc', '--initial-old-space-size=64', '--no-memory-reducer'];
  const child = spawn(process.execPath, [...gcFlags, ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
  });
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => child.kill(s));
  child.on('error', (e) => {
    process.stderr.write(`interpret-fr-eval: cannot start ${process.execPath}: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
} else {
  import('../dist/bin.js').catch((e) => {
    if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/bin.js')) {
      process.stderr.write('interpret-fr-eval: the package is not built (run `pnpm build` at the repository root)\n');
      process.exit(1);
    }
    throw e;
  });
}
